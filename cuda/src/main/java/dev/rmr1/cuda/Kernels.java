package dev.rmr1.cuda;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import dev.rmr1.tensor.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUmodule;

/**
 * Loads the kernels of {@code rmr1_kernels.cu} for one device. Order of preference:
 *
 * <ol>
 *   <li>PTX cached on disk for this source, NVRTC version and architecture ({@code ~/.cache/rmr1/ptx});
 *   <li>compiling the CUDA C source with the installed NVRTC (works with CUDA 12 and 13 drivers);
 *   <li>the PTX shipped in the jar, made by {@code scripts/build-ptx.sh} with nvcc 13 (needs a
 *       CUDA 13 driver, 580 or newer, because it declares PTX ISA 9.0).
 * </ol>
 *
 * The NVRTC options match build-ptx.sh's nvcc options (C++17, no FMA contraction).
 */
final class Kernels {
  static final String SOURCE_RESOURCE = "/dev/rmr1/cuda/rmr1_kernels.cu";
  static final String PTX_RESOURCE = "/dev/rmr1/cuda/rmr1_kernels.ptx";

  private final CUmodule module = new CUmodule();
  private final Map<String, Launcher.Handle> functions = new ConcurrentHashMap<>();
  final String origin;

  Kernels(CudaContext ctx) {
    ctx.makeCurrent();
    String source = resource(SOURCE_RESOURCE);
    StringBuilder why = new StringBuilder();
    String ptx = null;
    String from = null;
    Nvrtc nvrtc = Nvrtc.load(why);
    if (nvrtc != null) {
      String arch = "compute_" + Math.min(ctx.ccMajor * 10 + ctx.ccMinor, 90);
      List<String> options = List.of("--gpu-architecture=" + arch, "--std=c++17", "--fmad=false", "-default-device");
      Path cache = cacheDir().resolve(sha256(source + nvrtc + options) + ".ptx");
      try {
        if (Files.isRegularFile(cache)) {
          ptx = Files.readString(cache);
          from = "cached PTX " + cache;
        } else {
          ptx = nvrtc.compile(source, "rmr1_kernels.cu", options);
          AtomicFiles.writeString(cache, ptx); // a concurrent process compiling the same kernels may race: one whole file wins
          from = "NVRTC " + nvrtc + " (" + arch + ")";
        }
      } catch (RuntimeException | IOException e) {
        why.append("NVRTC compile: ").append(e.getMessage()).append("; ");
        ptx = null;
      }
    }
    if (ptx != null) {
      try {
        load(ptx);
      } catch (RuntimeException e) {
        why.append("loading ").append(from).append(": ").append(e.getMessage()).append("; ");
        ptx = null;
      }
    }
    if (ptx == null) {
      String shipped = resource(PTX_RESOURCE);
      try {
        load(shipped);
      } catch (RuntimeException e) {
        throw new IllegalStateException("cannot load the CUDA kernels on " + ctx + ": the shipped PTX (nvcc 13, ISA 9.0) needs a CUDA 13 "
            + "driver (580+); with an older driver install NVRTC (libnvrtc.so.12) so the kernels are compiled for it. Details: " + why + e.getMessage(), e);
      }
      from = "shipped PTX (nvcc 13)" + (why.isEmpty() ? "" : "; run-time compilation unavailable: " + why);
    }
    origin = from;
  }

  private void load(String ptx) {
    byte[] bytes = (ptx + "\0").getBytes(StandardCharsets.US_ASCII);
    cuModuleLoadData(module, bytes);
  }

  Launcher.Handle function(String name) {
    return functions.computeIfAbsent(name, n -> {
      Launcher.Handle f = new Launcher.Handle();
      cuModuleGetFunction(f, module, n);
      return f;
    });
  }

  static String resource(String path) {
    try (InputStream in = Kernels.class.getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing resource " + path + " (a broken build of the cuda module)");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static Path cacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("rmr1").resolve("ptx");
  }
}

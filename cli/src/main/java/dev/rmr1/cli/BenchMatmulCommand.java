package dev.rmr1.cli;

import dev.rmr1.tensor.Backend;
import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.Elements;
import dev.rmr1.tensor.cpu.MemoryBandwidth;
import dev.rmr1.tensor.cpu.Parallel;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./rmr1 bench matmul}: times out (M, N) = a (M, K) @ b (K, N) on a device's backend, F32
 * activations with F32 or BF16 weights, and prints the median over repetitions after warm-up. The
 * output tensor is allocated once, so the time is the kernel's alone. BENCHMARKS.md records runs.
 */
@Command(
    name = "matmul", header = "GEMM/GEMV throughput of a backend: median GFLOP/s.",
    mixinStandardHelpOptions = true,
    description = {
      "GEMM/GEMV throughput of a backend (--device): median GFLOP/s (2*M*N*K flops) over --reps runs after --warmup.",
      "Layout nn: b is a dense (K, N) matrix (numpy's a @ b); nt: b = W^T with W a dense (N, K) matrix,",
      "as nn.Linear stores weights. M <= 4 with layout nt is the GEMV (decode) case: see weight_gbps."
    })
public final class BenchMatmulCommand implements Callable<Integer> {
  enum WeightType { f32, bf16 }

  enum Layout { nn, nt }

  @Option(names = "--m", required = true, description = "Rows of a and out.") int m;
  @Option(names = "--n", required = true, description = "Columns of b and out.") int n;
  @Option(names = "--k", required = true, description = "Columns of a, rows of b.") int k;

  @Option(names = "--dtype", defaultValue = "f32", description = "Weight (b) dtype: ${COMPLETION-CANDIDATES} (a and out are F32).")
  WeightType dtype;

  @Option(names = "--layout", description = "b layout: ${COMPLETION-CANDIDATES} (default nn for f32, nt for bf16).")
  Layout layout;

  @Option(names = "--threads", description = "CPU threads (default: the backend's, -Drmr1.threads or all cores).")
  Integer threads;

  @Option(names = "--reps", defaultValue = "10", description = "Timed repetitions (median reported).") int reps;

  @Option(names = "--warmup", defaultValue = "3", description = "Untimed repetitions first (JIT, caches).") int warmup;

  @Option(names = "--warmup-seconds", defaultValue = "2",
      description = "Keep warming up (untimed) until this many seconds have passed: the JIT needs thousands of calls of a small product.")
  double warmupSeconds;

  @Option(names = "--copies", defaultValue = "1",
      description = "Rotate over this many copies of b, so that a b smaller than the last-level cache is read from memory.")
  int copies;

  @Option(names = "--bandwidth-mib", defaultValue = "0",
      description = "Also measure streaming-read memory bandwidth on a buffer of this many MiB, interleaved with the matmul reps (0: off).")
  int bandwidthMib;

  @Option(names = "--json", description = "Print one JSON line instead of text.") boolean json;

  @Mixin DeviceOption device;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (m < 1 || n < 1 || k < 1) throw new ParameterException(spec.commandLine(), "--m, --n and --k must be positive, got " + m + ", " + n + ", " + k);
    if (reps < 1 || warmup < 0 || warmupSeconds < 0 || copies < 1 || bandwidthMib < 0)
      throw new ParameterException(spec.commandLine(), "--reps and --copies must be >= 1, --warmup, --warmup-seconds and --bandwidth-mib >= 0");
    if (threads != null) {
      if (threads < 1) throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
      Parallel.setThreads(threads);
    }
    Layout lay = layout != null ? layout : dtype == WeightType.bf16 ? Layout.nt : Layout.nn;
    DType bt = dtype == WeightType.bf16 ? DType.BF16 : DType.F32;
    Device dev = device.device();
    if (!dev.isCpu() && bandwidthMib > 0) throw new ParameterException(spec.commandLine(), "--bandwidth-mib measures host memory: it needs --device cpu");
    Backend backend = Backends.of(dev);
    List<Tensor> owned = new ArrayList<>();
    try {
      Tensor a = onDevice(owned, filled(owned, DType.F32, 1, m, k), dev);
      Tensor[] bs = new Tensor[copies];
      for (int c = 0; c < copies; c++) {
        Tensor stored = onDevice(owned, lay == Layout.nn ? filled(owned, bt, 2 + c, k, n) : filled(owned, bt, 2 + c, n, k), dev);
        bs[c] = lay == Layout.nn ? stored : own(owned, stored.transpose(0, 1));
      }
      Tensor out = own(owned, Tensor.empty(dev, DType.F32, m, n));
      MemoryBandwidth bw = bandwidthMib > 0 ? new MemoryBandwidth((long) bandwidthMib << 20) : null;
      double[] ms = new double[reps], bwGbps = new double[bw == null ? 0 : reps];
      try {
        long warmStart = System.nanoTime();
        for (int r = 0; r < warmup || System.nanoTime() - warmStart < warmupSeconds * 1e9; r++) {
          backend.matmul(out, a, bs[r % copies]);
          if (bw != null && r < warmup) bw.readOnce();
        }
        for (int r = 0; r < reps; r++) {
          backend.synchronize();
          long t0 = System.nanoTime();
          backend.matmul(out, a, bs[r % copies]);
          backend.synchronize(); // an accelerator's kernel runs asynchronously: wait for it before reading the clock
          ms[r] = (System.nanoTime() - t0) * 1e-6;
          if (bw != null) bwGbps[r] = bw.bytes() / bw.readOnce() * 1e-9;
        }
      } finally {
        if (bw != null) bw.close();
      }
      report(dev, lay, ms, bwGbps, (long) k * n * bt.byteSize());
    } finally {
      for (int i = owned.size() - 1; i >= 0; i--) owned.get(i).close();
    }
    return 0;
  }

  private void report(Device dev, Layout lay, double[] ms, double[] bwGbps, long weightBytes) {
    double median = median(ms);
    double gflops = 2.0 * m * n * k / (median * 1e-3) * 1e-9;
    double weightGbps = weightBytes / (median * 1e-3) * 1e-9;
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    int t = dev.isCpu() ? Parallel.threads() : 0;
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      StringBuilder s = new StringBuilder();
      s.append(String.format(Locale.ROOT, "{\"device\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"dtype\":\"%s\",\"layout\":\"%s\",\"threads\":%d,\"reps\":%d,"
              + "\"copies\":%d,\"median_ms\":%.4f,\"min_ms\":%.4f,\"max_ms\":%.4f,\"gflops\":%.6g,\"weight_gbps\":%.6g",
          dev, m, n, k, dtype, lay, t, ms.length, copies, median, sorted[0], sorted[sorted.length - 1], gflops, weightGbps));
      if (bwGbps.length > 0)
        s.append(String.format(Locale.ROOT, ",\"membw_gbps\":%.6g,\"membw_fraction\":%.4g", median(bwGbps), weightGbps / median(bwGbps)));
      w.println(s.append('}'));
    } else {
      w.printf(Locale.ROOT, "matmul M=%d N=%d K=%d, F32 x %s (%s), %s: median %.3f ms (min %.3f, max %.3f over %d reps), %.1f GFLOP/s, weights %.2f GB/s%n",
          m, n, k, dtype.name().toUpperCase(Locale.ROOT), lay, dev.isCpu() ? t + " threads" : dev.toString(), median, sorted[0], sorted[sorted.length - 1], ms.length, gflops, weightGbps);
      if (bwGbps.length > 0)
        w.printf(Locale.ROOT, "streaming read %.2f GB/s (median, interleaved): weights stream at %.0f%% of it%n",
            median(bwGbps), 100 * weightGbps / median(bwGbps));
    }
    w.flush();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int h = s.length / 2;
    return s.length % 2 == 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
  }

  /** t itself on the CPU, else a copy on {@code dev} (owned too). */
  private static Tensor onDevice(List<Tensor> owned, Tensor t, Device dev) {
    return dev.isCpu() ? t : own(owned, t.to(dev));
  }

  private static Tensor own(List<Tensor> owned, Tensor t) {
    owned.add(t);
    return t;
  }

  /**
   * A dense (rows, cols) tensor of pseudo-random values in [-1, 1), written straight into its
   * storage: a 150k x 896 weight would need a 1 GB double[] through Tensor.of.
   */
  private static Tensor filled(List<Tensor> owned, DType dt, long seed, int rows, int cols) {
    Tensor t = own(owned, Tensor.empty(dt, rows, cols));
    MemorySegment s = Elements.segment(t);
    long count = (long) rows * cols;
    long x = seed * 0x9E3779B97F4A7C15L;
    for (long i = 0; i < count; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L; // 64-bit LCG, upper bits used
      float v = (x >>> 40) * 0x1p-23f - 1f;
      if (dt == DType.BF16) s.setAtIndex(ValueLayout.JAVA_SHORT, i, DType.floatToBf16(v));
      else s.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
    }
    return t;
  }
}

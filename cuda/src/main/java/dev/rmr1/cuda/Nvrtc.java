package dev.rmr1.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * NVRTC (the CUDA run-time compiler) through java.lang.foreign, so the kernels are compiled by
 * whichever NVRTC is installed ({@code libnvrtc.so.13} or {@code .so.12}) into PTX that the
 * installed driver accepts: PTX from nvcc 13 declares ISA 9.0, which CUDA 12 drivers reject.
 */
final class Nvrtc {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final java.lang.foreign.AddressLayout ADDR = ValueLayout.ADDRESS;
  private static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;

  final String library;
  final int major;
  final int minor;
  private final MethodHandle create, compile, ptxSize, getPtx, logSize, getLog, destroy;

  private Nvrtc(String library, SymbolLookup lib) throws Throwable {
    this.library = library;
    MethodHandle version = handle(lib, "nvrtcVersion", FunctionDescriptor.of(INT, ADDR, ADDR));
    create = handle(lib, "nvrtcCreateProgram", FunctionDescriptor.of(INT, ADDR, ADDR, ADDR, INT, ADDR, ADDR));
    compile = handle(lib, "nvrtcCompileProgram", FunctionDescriptor.of(INT, ADDR, INT, ADDR));
    ptxSize = handle(lib, "nvrtcGetPTXSize", FunctionDescriptor.of(INT, ADDR, ADDR));
    getPtx = handle(lib, "nvrtcGetPTX", FunctionDescriptor.of(INT, ADDR, ADDR));
    logSize = handle(lib, "nvrtcGetProgramLogSize", FunctionDescriptor.of(INT, ADDR, ADDR));
    getLog = handle(lib, "nvrtcGetProgramLog", FunctionDescriptor.of(INT, ADDR, ADDR));
    destroy = handle(lib, "nvrtcDestroyProgram", FunctionDescriptor.of(INT, ADDR));
    try (Arena a = Arena.ofConfined()) {
      MemorySegment ma = a.allocate(INT), mi = a.allocate(INT);
      check((int) version.invokeExact(ma, mi), "nvrtcVersion");
      major = ma.get(INT, 0);
      minor = mi.get(INT, 0);
    }
  }

  private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalStateException("NVRTC lacks " + name)), fd);
  }

  /** The newest NVRTC found on the library path, or null (with the reason in {@code why}). */
  static Nvrtc load(StringBuilder why) {
    for (String name : List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so")) {
      try {
        return new Nvrtc(name, SymbolLookup.libraryLookup(name, Arena.global()));
      } catch (Throwable t) {
        why.append(name).append(": ").append(t.getMessage()).append("; ");
      }
    }
    return null;
  }

  /** Compiles CUDA C source to PTX; a compile error carries NVRTC's log. */
  String compile(String source, String name, List<String> options) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment prog = a.allocate(ADDR);
      check((int) create.invokeExact(prog, a.allocateFrom(source), a.allocateFrom(name), 0, MemorySegment.NULL, MemorySegment.NULL),
          "nvrtcCreateProgram");
      MemorySegment p = prog.get(ADDR, 0);
      try {
        MemorySegment opts = a.allocate(ADDR, Math.max(1, options.size()));
        for (int i = 0; i < options.size(); i++) opts.setAtIndex(ADDR, i, a.allocateFrom(options.get(i)));
        int rc = (int) compile.invokeExact(p, options.size(), opts);
        if (rc != 0) throw new IllegalStateException("NVRTC (" + library + ") failed to compile " + name + " with " + options + ":\n" + log(a, p));
        MemorySegment size = a.allocate(SIZE_T);
        check((int) ptxSize.invokeExact(p, size), "nvrtcGetPTXSize");
        MemorySegment ptx = a.allocate(size.get(SIZE_T, 0));
        check((int) getPtx.invokeExact(p, ptx), "nvrtcGetPTX");
        return ptx.getString(0, StandardCharsets.US_ASCII);
      } finally {
        MemorySegment holder = a.allocate(ADDR);
        holder.set(ADDR, 0, p);
        int ignored = (int) destroy.invokeExact(holder);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("NVRTC call failed", t);
    }
  }

  private String log(Arena a, MemorySegment p) throws Throwable {
    MemorySegment size = a.allocate(SIZE_T);
    check((int) logSize.invokeExact(p, size), "nvrtcGetProgramLogSize");
    MemorySegment log = a.allocate(Math.max(1, size.get(SIZE_T, 0)));
    check((int) getLog.invokeExact(p, log), "nvrtcGetProgramLog");
    return log.getString(0, StandardCharsets.UTF_8);
  }

  private void check(int rc, String what) {
    if (rc != 0) throw new IllegalStateException(what + " returned NVRTC error " + rc + " (" + library + ")");
  }

  @Override
  public String toString() {
    return library + " " + major + "." + minor;
  }
}

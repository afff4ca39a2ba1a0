package dev.rmr1.tensor.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * What the matrix kernels may use on this JVM and CPU, decided once. The Vector API kernels need
 * (1) the {@code jdk.incubator.vector} module, (2) C2, which turns vector objects into registers
 * (under the interpreter or C1 they are heap objects, hundreds of times slower), and (3) a
 * preferred species of at least 128 bits. Without them GEMM takes the scalar blocked path. 128-bit
 * vectors (no AVX2) and a CPU without FMA still run the vector kernels, slower. Any such
 * degradation is printed once, on the first matrix product, as one line on stderr; AVX2 and
 * AVX-512 with FMA are full speed for their machine and print nothing.
 *
 * <p>This class names no {@code jdk.incubator.vector} type, so it loads when the module is missing;
 * {@link GemmVectorProbe} is touched only after the module was found.
 */
final class GemmSimd {
  /** Use the Vector API kernels ({@link GemmF32}, {@link GemmF64}, {@link Gemv}). */
  static final boolean VECTOR;
  /** Bits of the preferred float species (0 when the vector kernels are off). */
  static final int VECTOR_BITS;
  /** The CPU has fused multiply-add and the JIT emits it; otherwise the kernels multiply, then add. */
  static final boolean FMA;
  /** The one-line reason for running below full speed, or null. */
  static final String WARNING;

  private static volatile boolean warned;

  static {
    boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    boolean forcedScalar = Boolean.getBoolean("rmr1.gemm.scalar");
    String c2 = c2Problem();
    int bits = module ? GemmVectorProbe.preferredFloatBits() : 0;
    boolean fma = !"false".equals(vmOption("UseFMA"));
    VECTOR = module && !forcedScalar && c2 == null && bits >= 128;
    VECTOR_BITS = VECTOR ? bits : 0;
    FMA = fma;
    String w = null;
    if (forcedScalar) w = "-Drmr1.gemm.scalar=true: matrix products use the scalar path (much slower)";
    else if (!module)
      w = "the jdk.incubator.vector module is not loaded (run java with --add-modules jdk.incubator.vector): "
          + "matrix products use the scalar path, 10-50x slower";
    else if (c2 != null) w = c2 + ": the Vector API is not compiled to SIMD, so matrix products use the scalar path, 10-50x slower";
    else if (bits < 128) w = "no SIMD float species on this CPU (preferred " + bits + " bits): matrix products use the scalar path";
    else if (bits < 256 || !fma)
      w = "matrix products run with " + bits + "-bit vectors" + (fma ? "" : " and without FMA (multiply, then add)")
          + ": expect a fraction of the speed of AVX2/AVX-512 with FMA";
    WARNING = w;
  }

  private GemmSimd() {}

  /** Prints {@link #WARNING} once per JVM (no-op when running at full speed). */
  static void warnOnce() {
    if (WARNING == null || warned) return;
    synchronized (GemmSimd.class) {
      if (warned) return;
      warned = true;
    }
    System.err.println("rmr1: warning: " + WARNING);
  }

  /** Why C2 is not available (interpreter only, C1 only), or null when it is. */
  private static String c2Problem() {
    String info = System.getProperty("java.vm.info", "");
    if (info.contains("interpreted mode")) return "the JVM runs interpreted (-Xint)";
    String level = vmOption("TieredStopAtLevel");
    String tiered = vmOption("TieredCompilation");
    if (level != null && !"false".equals(tiered) && Integer.parseInt(level) < 4)
      return "C2 is disabled (-XX:TieredStopAtLevel=" + level + ")";
    return null;
  }

  /** A HotSpot flag's value, or null where the flag or the management API is missing. */
  private static String vmOption(String name) {
    try {
      return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }
}

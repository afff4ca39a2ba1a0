package dev.rmr1.tensor.cpu;

import java.lang.management.ManagementFactory;

/**
 * What the CPU kernels may use on this JVM and machine, decided once.
 *
 * <p>The Vector API is an incubator module: classes that use it ({@code Lanes} and the
 * {@code Vector*} kernels) are loaded only when {@link #ENABLED} is true, so a JVM started without
 * {@code --add-modules jdk.incubator.vector} still runs every operation, on the scalar
 * {@link Reference} kernels. Either missing piece (the module, vector hardware of at least 128 bits,
 * hardware FMA) is reported once on stderr. {@code -Drmr1.simd=false} turns the vector kernels off
 * (to compare against the scalar path).
 */
public final class Simd {
  /** True when the Vector API kernels run; false means every CPU kernel is the scalar reference. */
  public static final boolean ENABLED;

  /** Float lanes of the preferred species (16 with AVX-512, 8 with AVX2, 4 with NEON/SSE); 1 when disabled. */
  public static final int FLOAT_LANES;

  /**
   * True when the CPU has fused multiply-add (HotSpot's {@code UseFMA}). Without it the Vector API's
   * {@code fma} falls back to slow per-lane code, so kernels multiply and add separately.
   */
  public static final boolean FMA;

  private static final String DESCRIPTION;

  static {
    boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    boolean wanted = !"false".equalsIgnoreCase(System.getProperty("rmr1.simd", "true"));
    int lanes = module ? Probe.preferredFloatLanes() : 1;
    FMA = hardwareFma();
    String why = null;
    if (!module) why = "the module jdk.incubator.vector is not loaded (start java with --add-modules jdk.incubator.vector)";
    else if (!wanted) why = "-Drmr1.simd=false was given";
    else if (lanes < 4) why = "the preferred vector species has only " + lanes + " float lane(s)";
    else if (!Probe.narrowShapesExist(lanes)) why = "no vector shapes of " + lanes * 16 + " and " + lanes * 8 + " bits for BF16 and BOOL lanes";
    ENABLED = why == null;
    FLOAT_LANES = ENABLED ? lanes : 1;
    if (!ENABLED) {
      DESCRIPTION = "scalar reference kernels (" + why + ")";
      System.err.println("rmr1: CPU kernels run the slow scalar reference code: " + why + ".");
    } else {
      DESCRIPTION = "Vector API, " + lanes * 32 + "-bit (" + lanes + " float lanes), FMA " + (FMA ? "yes" : "no");
      if (!FMA) System.err.println("rmr1: no hardware FMA detected; CPU vector kernels multiply and add separately (slower).");
    }
  }

  private Simd() {}

  /** One line saying what the CPU kernels use, for logs and benchmark headers. */
  public static String describe() {
    return DESCRIPTION;
  }

  /** HotSpot sets {@code UseFMA} from the CPU's feature flags; unknown (another VM) counts as absent. */
  private static boolean hardwareFma() {
    try {
      var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      return bean != null && Boolean.parseBoolean(bean.getVMOption("UseFMA").getValue());
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** Touches the Vector API; a separate class so that it is loaded only when the module is present. */
  private static final class Probe {
    static int preferredFloatLanes() {
      return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
    }

    /** The kernels pair each float lane with a short lane (BF16) and, from 64 bits up, a byte lane (BOOL). */
    static boolean narrowShapesExist(int lanes) {
      try {
        jdk.incubator.vector.VectorShape.forBitSize(lanes * 16);
        jdk.incubator.vector.VectorShape.forBitSize(Math.max(64, lanes * 8));
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
  }
}

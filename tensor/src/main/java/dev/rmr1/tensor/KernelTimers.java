package dev.rmr1.tensor;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Optional wall-clock accounting of a backend's primitives: how many calls each {@link Backend}
 * primitive received and how many nanoseconds they took, so a benchmark can say which fraction of a
 * training step is GEMM. Off by default ({@code -Drmr1.kernelTimers=true} or
 * {@link #setEnabled} turns it on); when off, each primitive pays one test of a static field.
 *
 * <p>Times are wall-clock around each call on the calling thread (no kernel calls another
 * primitive) and include the call's fan-out to the kernel pool, so two threads busy for 1 ms count
 * 1 ms. Primitives called concurrently from several threads would add up to more than the wall
 * time; the model and autograd call them from one thread.
 */
public final class KernelTimers {
  /**
   * The timed primitives: one per {@link dev.rmr1.tensor.Backend} method that computes, plus the
   * training attention's backward (its forward counts as ATTENTION).
   */
  public enum Kernel {
    ALLOCATE, COPY, FILL, UNARY, BINARY, WHERE, REDUCE, SOFTMAX, MATMUL, RMS_NORM, ROPE, ATTENTION, ATTENTION_BACKWARD, INDEX_SELECT, GATHER,
    SCATTER_ADD, CUMSUM, TOPK, TOP_FILTER
  }

  private static final Kernel[] KERNELS = Kernel.values();
  private static volatile boolean enabled = Boolean.getBoolean("rmr1.kernelTimers");
  private static final AtomicLongArray NANOS = new AtomicLongArray(KERNELS.length);
  private static final AtomicLongArray CALLS = new AtomicLongArray(KERNELS.length);

  /** Per call site: "kernel <- Class.method" of the first caller outside the tensor library and the backends. */
  private static final ConcurrentHashMap<String, long[]> SITES = new ConcurrentHashMap<>();
  private static final StackWalker WALKER = StackWalker.getInstance();

  private KernelTimers() {}

  public static boolean enabled() {
    return enabled;
  }

  public static void setEnabled(boolean on) {
    enabled = on;
  }

  /** Zeroes every counter. */
  public static void reset() {
    for (int i = 0; i < KERNELS.length; i++) {
      NANOS.set(i, 0);
      CALLS.set(i, 0);
    }
    SITES.clear();
  }

  /**
   * Runs one primitive of {@code backend}, timed when the timers are on. An accelerator runs its
   * kernels asynchronously, so the backend is {@linkplain Backend#synchronize synchronized} before
   * and after: the time is the primitive's own (a no-op on the CPU).
   */
  public static void time(Kernel kernel, Backend backend, Runnable primitive) {
    if (!enabled) {
      primitive.run();
      return;
    }
    backend.synchronize();
    long t0 = System.nanoTime();
    try {
      primitive.run();
    } finally {
      backend.synchronize();
      stop(kernel, t0);
    }
  }

  /** A start time for {@link #stop}, or 0 when timing is off. */
  public static long start() {
    return enabled ? System.nanoTime() : 0;
  }

  /** Adds the time since {@code start} (from {@link #start}) to {@code k}; nothing when start is 0. */
  public static void stop(Kernel k, long start) {
    if (start == 0) return;
    long nanos = System.nanoTime() - start;
    NANOS.addAndGet(k.ordinal(), nanos);
    CALLS.incrementAndGet(k.ordinal());
    long[] site = SITES.computeIfAbsent(k.name().toLowerCase() + " <- " + caller(), key -> new long[2]);
    synchronized (site) {
      site[0]++;
      site[1] += nanos;
    }
  }

  /**
   * The first frame outside the tensor library and the backends (an autograd op, a layer, the
   * optimizer), as SimpleClass.method: what asked for the primitive.
   */
  private static String caller() {
    return WALKER.walk(frames -> frames.map(f -> f.getClassName() + "." + f.getMethodName())
        .filter(f -> !f.startsWith("dev.rmr1.tensor.") && !f.startsWith("dev.rmr1.cuda.") && !f.startsWith("java."))
        .findFirst()
        .map(f -> f.substring(f.lastIndexOf('.', f.lastIndexOf('.') - 1) + 1))
        .orElse("?"));
  }

  /** Calls and nanoseconds of one primitive at one call site (see {@link #sites}). */
  public record Site(String site, long calls, long nanos) {}

  /** The call sites since the last {@link #reset}, the most time first. */
  public static List<Site> sites() {
    List<Site> out = new ArrayList<>();
    SITES.forEach((k, v) -> {
      synchronized (v) {
        out.add(new Site(k, v[0], v[1]));
      }
    });
    out.sort((a, b) -> Long.compare(b.nanos(), a.nanos()));
    return out;
  }

  /** Calls and nanoseconds of one primitive. */
  public record Total(long calls, long nanos) {}

  /** Every primitive's totals since the last {@link #reset}, in {@link Kernel} order. */
  public static Map<Kernel, Total> snapshot() {
    Map<Kernel, Total> m = new EnumMap<>(Kernel.class);
    for (Kernel k : KERNELS) m.put(k, new Total(CALLS.get(k.ordinal()), NANOS.get(k.ordinal())));
    return m;
  }
}

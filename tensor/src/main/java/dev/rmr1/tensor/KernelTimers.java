package dev.rmr1.tensor;

import java.util.EnumMap;
import java.util.Map;
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
    SCATTER_ADD, CUMSUM, TOPK
  }

  private static final Kernel[] KERNELS = Kernel.values();
  private static volatile boolean enabled = Boolean.getBoolean("rmr1.kernelTimers");
  private static final AtomicLongArray NANOS = new AtomicLongArray(KERNELS.length);
  private static final AtomicLongArray CALLS = new AtomicLongArray(KERNELS.length);

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
  }

  /** A start time for {@link #stop}, or 0 when timing is off. */
  public static long start() {
    return enabled ? System.nanoTime() : 0;
  }

  /** Adds the time since {@code start} (from {@link #start}) to {@code k}; nothing when start is 0. */
  public static void stop(Kernel k, long start) {
    if (start == 0) return;
    NANOS.addAndGet(k.ordinal(), System.nanoTime() - start);
    CALLS.incrementAndGet(k.ordinal());
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

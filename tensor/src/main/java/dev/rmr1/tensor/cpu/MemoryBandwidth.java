package dev.rmr1.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A streaming-read benchmark: the memory bandwidth that a memory-bound kernel such as {@link Gemv}
 * can at best reach. Every thread of {@link Parallel} sums its contiguous share of a buffer much
 * larger than the last-level cache with vector loads (two independent accumulators, so the loop is
 * bound by loads, not by add latency).
 */
public final class MemoryBandwidth implements AutoCloseable {
  private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  private final MemorySegment buffer;
  private volatile long sink;

  /** Allocates and touches a buffer of {@code bytes} (rounded down to two vectors). */
  public MemoryBandwidth(long bytes) {
    long step = 2L * S.vectorByteSize();
    long size = Math.max(step, bytes / step * step);
    buffer = NativeMemory.allocate(size);
    buffer.fill((byte) 1);
  }

  /** Bytes read by one {@link #readOnce}. */
  public long bytes() {
    return buffer.byteSize();
  }

  /** Reads the whole buffer once on all threads; returns the seconds it took. */
  public double readOnce() {
    long step = 2L * S.vectorByteSize();
    long blocks = buffer.byteSize() / step;
    int threads = Parallel.threads();
    long[] partial = new long[threads];
    long start = System.nanoTime();
    Parallel.forRange(threads, 1, (lo, hi) -> {
      for (int t = lo; t < hi; t++) partial[t] = sum(buffer, blocks * t / threads * step, blocks * (t + 1) / threads * step);
    });
    double seconds = (System.nanoTime() - start) * 1e-9;
    long s = 0;
    for (long p : partial) s += p;
    sink = s;
    return seconds;
  }

  private static long sum(MemorySegment m, long from, long to) {
    LongVector a = LongVector.zero(S), b = a;
    long half = S.vectorByteSize();
    for (long o = from; o < to; o += 2 * half) {
      a = a.add(LongVector.fromMemorySegment(S, m, o, NATIVE));
      b = b.add(LongVector.fromMemorySegment(S, m, o + half, NATIVE));
    }
    return a.add(b).reduceLanes(VectorOperators.ADD);
  }

  @Override
  public void close() {
    NativeMemory.free(buffer);
  }
}

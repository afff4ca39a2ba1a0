package dev.rmr1.bench.decode;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sustained read bandwidth of main memory: {@code threads} threads each sum their contiguous slice
 * of a buffer far larger than the caches with full-width vector loads (a decode step streams the
 * weights the same way). The best of several passes is reported, in bytes per second.
 */
final class MemoryBandwidth {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  private MemoryBandwidth() {}

  static double measure(int threads, long bytes, int passes) throws Exception {
    long floats = bytes / 4 / (S.length() * threads) * (S.length() * threads);
    try (Arena arena = Arena.ofShared(); ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      MemorySegment buf = arena.allocate(floats * 4, 64);
      for (long i = 0; i < floats; i++) buf.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 7) * 0.5f);
      long per = floats / threads;
      double best = 0, sink = 0;
      for (int p = 0; p < passes; p++) {
        List<Future<Float>> parts = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          long from = t * per;
          parts.add(pool.submit(() -> sum(buf, from, per)));
        }
        for (Future<Float> f : parts) sink += f.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        best = Math.max(best, floats * 4 / seconds);
      }
      if (sink == 42) System.out.print(""); // keep the sums alive
      return best;
    }
  }

  private static float sum(MemorySegment buf, long from, long count) {
    FloatVector a = FloatVector.zero(S), b = FloatVector.zero(S), c = FloatVector.zero(S), d = FloatVector.zero(S);
    long step = S.length(), end = from + count, i = from;
    for (; i + 4 * step <= end; i += 4 * step) {
      a = a.add(FloatVector.fromMemorySegment(S, buf, i * 4, ByteOrder.LITTLE_ENDIAN));
      b = b.add(FloatVector.fromMemorySegment(S, buf, (i + step) * 4, ByteOrder.LITTLE_ENDIAN));
      c = c.add(FloatVector.fromMemorySegment(S, buf, (i + 2 * step) * 4, ByteOrder.LITTLE_ENDIAN));
      d = d.add(FloatVector.fromMemorySegment(S, buf, (i + 3 * step) * 4, ByteOrder.LITTLE_ENDIAN));
    }
    for (; i < end; i += step) a = a.add(FloatVector.fromMemorySegment(S, buf, i * 4, ByteOrder.LITTLE_ENDIAN));
    return a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
  }
}

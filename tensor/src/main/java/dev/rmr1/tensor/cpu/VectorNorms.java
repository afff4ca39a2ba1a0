package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.cpu.Lanes.N;

import dev.rmr1.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** Vector API RMSNorm and rotary embedding over rows of the last dim (all rows of stride 1). */
final class VectorNorms {
  private VectorNorms() {}

  /**
   * Qwen2RMSNorm: out = x / sqrt(mean(x^2) + eps) * w. Operands of the plan: out, x (dtype t); the
   * weight is a separate row of stride 1 at {@code wAt}, dtype wt.
   */
  static void rmsNorm(Rows p, MemorySegment so, MemorySegment sx, DType t, MemorySegment sw, DType wt, long wAt, double eps) {
    int n = p.length;
    p.run((off, from, to) -> {
      float inv = (float) (1 / Math.sqrt(sumOfSquares(sx, t, off[1], n) / n + eps));
      scaleByWeight(so, off[0], sx, off[1], t, n, inv, sw, wt, wAt);
    });
  }

  private static double sumOfSquares(MemorySegment sx, DType t, long x, int n) {
    double total = 0;
    for (int b = 0; b < n; b += VectorReductions.BLOCK) {
      int end = Math.min(n, b + VectorReductions.BLOCK);
      FloatVector acc = Lanes.broadcast(0f);
      int j = b;
      for (; j <= end - N; j += N) {
        FloatVector v = Lanes.load(sx, t, x + j);
        acc = Lanes.fma(v, v, acc);
      }
      if (j < end) {
        FloatVector v = Lanes.load(sx, t, x + j, Lanes.tail(j, end)); // zero past the end
        acc = Lanes.fma(v, v, acc);
      }
      total += LaneSums.sum(acc);
    }
    return total;
  }

  /** out = x * inv * w. */
  private static void scaleByWeight(MemorySegment so, long o, MemorySegment sx, long x, DType t, int n, float inv, MemorySegment sw, DType wt, long w) {
    FloatVector s = Lanes.broadcast(inv);
    int j = 0;
    for (; j <= n - N; j += N) Lanes.store(Lanes.load(sx, t, x + j).mul(s).mul(Lanes.load(sw, wt, w + j)), so, t, o + j);
    if (j < n) {
      VectorMask<Float> m = Lanes.tail(j, n);
      Lanes.store(Lanes.load(sx, t, x + j, m).mul(s).mul(Lanes.load(sw, wt, w + j, m)), so, t, o + j, m);
    }
  }

  /**
   * Rotate-half RoPE of each row (length D, even): for j < D/2, out[j] = x[j] cos[j] - x[j + D/2] sin[j]
   * and out[j + D/2] = x[j + D/2] cos[j + D/2] + x[j] sin[j + D/2]. Operands: out, x, cos, sin.
   */
  static void rope(Rows p, MemorySegment so, MemorySegment sx, MemorySegment sc, MemorySegment ss, DType t) {
    int half = p.length / 2;
    p.run((off, from, to) -> {
      for (int j = 0; j < half; j += N) ropeBlock(so, off[0], sx, off[1], sc, off[2], ss, off[3], t, half, j, Lanes.tail(j, half));
    });
  }

  private static void ropeBlock(MemorySegment so, long o, MemorySegment sx, long x, MemorySegment sc, long c, MemorySegment ss, long s,
      DType t, int half, int j, VectorMask<Float> m) {
    FloatVector x1 = Lanes.load(sx, t, x + j, m), x2 = Lanes.load(sx, t, x + half + j, m);
    FloatVector lo = Lanes.fma(x1, Lanes.load(sc, t, c + j, m), x2.mul(Lanes.load(ss, t, s + j, m)).neg());
    FloatVector hi = Lanes.fma(x2, Lanes.load(sc, t, c + half + j, m), x1.mul(Lanes.load(ss, t, s + half + j, m)));
    Lanes.store(lo, so, t, o + j, m);
    Lanes.store(hi, so, t, o + half + j, m);
  }
}

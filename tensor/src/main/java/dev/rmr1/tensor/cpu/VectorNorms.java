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
      long o = off[0], x = off[1];
      double total = 0;
      for (int b = 0; b < n; b += VectorReductions.BLOCK) {
        int end = Math.min(n, b + VectorReductions.BLOCK);
        FloatVector acc = Lanes.broadcast(0f);
        for (int j = b; j < end; j += N) {
          FloatVector v = Lanes.load(sx, t, x + j, Lanes.tail(j, end)); // zero past the end
          acc = Lanes.fma(v, v, acc);
        }
        total += acc.reduceLanes(VectorOperators.ADD);
      }
      FloatVector inv = Lanes.broadcast((float) (1 / Math.sqrt(total / n + eps)));
      for (int j = 0; j < n; j += N) {
        VectorMask<Float> m = Lanes.tail(j, n);
        Lanes.store(Lanes.load(sx, t, x + j, m).mul(inv).mul(Lanes.load(sw, wt, wAt + j, m)), so, t, o + j, m);
      }
    });
  }

  /**
   * Rotate-half RoPE of each row (length D, even): for j < D/2, out[j] = x[j] cos[j] - x[j + D/2] sin[j]
   * and out[j + D/2] = x[j + D/2] cos[j + D/2] + x[j] sin[j + D/2]. Operands: out, x, cos, sin.
   */
  static void rope(Rows p, MemorySegment so, MemorySegment sx, MemorySegment sc, MemorySegment ss, DType t) {
    int half = p.length / 2;
    p.run((off, from, to) -> {
      long o = off[0], x = off[1], c = off[2], s = off[3];
      for (int j = 0; j < half; j += N) {
        VectorMask<Float> m = Lanes.tail(j, half);
        FloatVector x1 = Lanes.load(sx, t, x + j, m), x2 = Lanes.load(sx, t, x + half + j, m);
        FloatVector lo = Lanes.fma(x1, Lanes.load(sc, t, c + j, m), x2.mul(Lanes.load(ss, t, s + j, m)).neg());
        FloatVector hi = Lanes.fma(x2, Lanes.load(sc, t, c + half + j, m), x1.mul(Lanes.load(ss, t, s + half + j, m)));
        Lanes.store(lo, so, t, o + j, m);
        Lanes.store(hi, so, t, o + half + j, m);
      }
    });
  }
}

package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.cpu.Lanes.F;
import static dev.rmr1.tensor.cpu.Lanes.N;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.ReduceOp;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API reductions over contiguous runs (a row of the last dim, or a whole dense tensor), over
 * rows of a column block (reducing a leading dim, e.g. the batch dim of a bias gradient), and the
 * row-wise softmax. Sums are accumulated in float lanes over blocks of {@link #BLOCK} elements and
 * the block sums in double, so long sums stay accurate (the error grows with the block, not with n).
 * NaN propagates through max and min as in {@link Reference}.
 */
final class VectorReductions {
  private VectorReductions() {}

  /**
   * Elements summed in float lanes before the partial sum moves to a double: each lane adds at most
   * BLOCK / N values, so the float rounding error stays near (BLOCK / N) * 2^-24 relative.
   */
  static final int BLOCK = 1024;

  private static final float NEG_INF = Float.NEGATIVE_INFINITY;

  static float max(MemorySegment s, DType t, long at, int n) {
    FloatVector acc = Lanes.broadcast(NEG_INF);
    int j = 0;
    for (; j <= n - N; j += N) acc = acc.max(Lanes.load(s, t, at + j));
    if (j < n) {
      VectorMask<Float> m = Lanes.tail(j, n);
      acc = acc.lanewise(VectorOperators.MAX, Lanes.load(s, t, at + j, m), m);
    }
    return acc.reduceLanes(VectorOperators.MAX);
  }

  static float min(MemorySegment s, DType t, long at, int n) {
    FloatVector acc = Lanes.broadcast(Float.POSITIVE_INFINITY);
    int j = 0;
    for (; j <= n - N; j += N) acc = acc.min(Lanes.load(s, t, at + j));
    if (j < n) {
      VectorMask<Float> m = Lanes.tail(j, n);
      acc = acc.lanewise(VectorOperators.MIN, Lanes.load(s, t, at + j, m), m);
    }
    return acc.reduceLanes(VectorOperators.MIN);
  }

  static double sum(MemorySegment s, DType t, long at, int n) {
    double total = 0;
    for (int b = 0; b < n; b += BLOCK) {
      int end = Math.min(n, b + BLOCK);
      // Two accumulators: half the additions per lane, and two independent dependency chains.
      FloatVector acc0 = Lanes.broadcast(0f), acc1 = acc0;
      int j = b;
      for (; j <= end - 2 * N; j += 2 * N) {
        acc0 = acc0.add(Lanes.load(s, t, at + j));
        acc1 = acc1.add(Lanes.load(s, t, at + j + N));
      }
      // A masked load fills the lanes past the end with 0.
      for (; j < end; j += N) acc0 = acc0.add(Lanes.load(s, t, at + j, Lanes.tail(j, end)));
      total += LaneSums.sum(acc0.add(acc1));
    }
    return total;
  }

  /** sum(exp(x - shift)) over the run. */
  static double sumExp(MemorySegment s, DType t, long at, int n, float shift) {
    FloatVector sh = Lanes.broadcast(shift);
    double total = 0;
    for (int b = 0; b < n; b += BLOCK) {
      int end = Math.min(n, b + BLOCK);
      FloatVector acc = Lanes.broadcast(0f);
      int j = b;
      for (; j <= end - N; j += N) acc = acc.add(Lanes.exp(Lanes.load(s, t, at + j).sub(sh)));
      if (j < end) {
        VectorMask<Float> m = Lanes.tail(j, end);
        acc = acc.add(Lanes.exp(Lanes.load(s, t, at + j, m).sub(sh)), m);
      }
      total += LaneSums.sum(acc);
    }
    return total;
  }

  /** SUM, MAX, MIN or LOGSUMEXP of a non-empty run. */
  static double reduce(ReduceOp op, MemorySegment s, DType t, long at, int n) {
    return switch (op) {
      case SUM -> sum(s, t, at, n);
      case MAX -> max(s, t, at, n);
      case MIN -> min(s, t, at, n);
      case LOGSUMEXP -> {
        float m = max(s, t, at, n);
        // NaN anywhere made m NaN; an infinite max is the answer itself (as in Reference).
        yield Float.isNaN(m) || Float.isInfinite(m) ? m : m + Math.log(sumExp(s, t, at, n, m));
      }
      default -> throw new IllegalArgumentException(op + " is not a value reduction");
    };
  }

  /** Index of the first maximum (or minimum) of a non-empty run; a NaN counts as both, the first one wins. */
  static long argExtreme(boolean max, MemorySegment s, DType t, long at, int n) {
    float m = max ? max(s, t, at, n) : min(s, t, at, n);
    boolean nan = Float.isNaN(m);
    FloatVector target = Lanes.broadcast(m);
    int j = 0;
    for (; j < n; j += N) {
      VectorMask<Float> valid = Lanes.tail(j, n);
      FloatVector v = Lanes.load(s, t, at + j, valid);
      VectorMask<Float> hit = (nan ? v.test(VectorOperators.IS_NAN) : v.compare(VectorOperators.EQ, target)).and(valid);
      if (hit.anyTrue()) return j + hit.firstTrue();
    }
    throw new IllegalStateException("extreme " + m + " not found again in its run");
  }

  /**
   * Reduces over a leading dim: for each column c of the rows plan (out and x rows of stride 1),
   * out[c] = op over r < count of x[c + r * step]. SUM, MAX or MIN.
   */
  static void columns(ReduceOp op, Rows p, int count, long step, MemorySegment so, MemorySegment sx, DType t) {
    p.run((off, from, to) -> {
      for (int c = from; c < to; c += N) column(op, count, step, so, off[0] + c, sx, off[1] + c, t, Lanes.tail(c, to));
    });
  }

  /** N columns (those in {@code m}) of out at o, each reduced over {@code count} rows of x from x (step {@code step}). */
  private static void column(ReduceOp op, int count, long step, MemorySegment so, long o, MemorySegment sx, long x, DType t, VectorMask<Float> m) {
    FloatVector identity = Lanes.broadcast(op == ReduceOp.SUM ? 0f : op == ReduceOp.MAX ? NEG_INF : Float.POSITIVE_INFINITY);
    FloatVector total = identity;
    for (int r0 = 0; r0 < count; r0 += BLOCK / N) {
      FloatVector acc = identity;
      int r1 = Math.min(count, r0 + BLOCK / N);
      for (int r = r0; r < r1; r++) acc = combine(op, acc, Lanes.load(sx, t, x + r * step, m));
      total = combine(op, total, acc);
    }
    Lanes.store(total, so, t, o, m);
  }

  private static FloatVector combine(ReduceOp op, FloatVector acc, FloatVector v) {
    return switch (op) {
      case SUM -> acc.add(v);
      case MAX -> acc.max(v);
      case MIN -> acc.min(v);
      default -> throw new IllegalArgumentException(op + " is not a column reduction");
    };
  }

  /**
   * Softmax (or log-softmax) of each row; out and x rows have stride 1 and the same dtype. For F32
   * the exponentials are stored by the summing pass and scaled in place, saving an exp per element.
   */
  static void softmax(Rows p, MemorySegment so, MemorySegment sx, DType t, boolean log) {
    int n = p.length;
    p.run((off, from, to) -> softmaxRow(so, off[0], sx, off[1], t, n, log));
  }

  private static void softmaxRow(MemorySegment so, long o, MemorySegment sx, long x, DType t, int n, boolean log) {
    float m = max(sx, t, x, n);
    if (log) logSoftmaxRow(so, o, sx, x, t, n, m, (float) Math.log(sumExp(sx, t, x, n, m)));
    else if (t == DType.F32) scaleRow(so, o, t, n, (float) (1 / storeExp(so, o, sx, x, t, n, m)));
    else expScaleRow(so, o, sx, x, t, n, m, (float) (1 / sumExp(sx, t, x, n, m)));
  }

  /** out = exp(x - shift), returning its sum. */
  private static double storeExp(MemorySegment so, long o, MemorySegment sx, long x, DType t, int n, float shift) {
    FloatVector sh = Lanes.broadcast(shift);
    double total = 0;
    for (int b = 0; b < n; b += BLOCK) {
      int end = Math.min(n, b + BLOCK);
      FloatVector acc = Lanes.broadcast(0f);
      int j = b;
      for (; j <= end - N; j += N) {
        FloatVector e = Lanes.exp(Lanes.load(sx, t, x + j).sub(sh));
        Lanes.store(e, so, t, o + j);
        acc = acc.add(e);
      }
      if (j < end) {
        VectorMask<Float> m = Lanes.tail(j, end);
        FloatVector e = Lanes.exp(Lanes.load(sx, t, x + j, m).sub(sh));
        Lanes.store(e, so, t, o + j, m);
        acc = acc.add(e, m);
      }
      total += LaneSums.sum(acc);
    }
    return total;
  }

  /** out *= scale, in place. */
  private static void scaleRow(MemorySegment so, long o, DType t, int n, float scale) {
    int j = 0;
    for (; j <= n - N; j += N) Lanes.store(Lanes.load(so, t, o + j).mul(scale), so, t, o + j);
    if (j < n) {
      VectorMask<Float> m = Lanes.tail(j, n);
      Lanes.store(Lanes.load(so, t, o + j, m).mul(scale), so, t, o + j, m);
    }
  }

  /** out = exp(x - shift) * scale. */
  private static void expScaleRow(MemorySegment so, long o, MemorySegment sx, long x, DType t, int n, float shift, float scale) {
    FloatVector sh = Lanes.broadcast(shift);
    int j = 0;
    for (; j <= n - N; j += N) Lanes.store(Lanes.exp(Lanes.load(sx, t, x + j).sub(sh)).mul(scale), so, t, o + j);
    if (j < n) {
      VectorMask<Float> m = Lanes.tail(j, n);
      Lanes.store(Lanes.exp(Lanes.load(sx, t, x + j, m).sub(sh)).mul(scale), so, t, o + j, m);
    }
  }

  /** Log-softmax: out = (x - max) - log(sum); subtracting max first keeps the rounding at the result's scale. */
  private static void logSoftmaxRow(MemorySegment so, long o, MemorySegment sx, long x, DType t, int n, float max, float logSum) {
    FloatVector mx = Lanes.broadcast(max), ls = Lanes.broadcast(logSum);
    int j = 0;
    for (; j <= n - N; j += N) Lanes.store(Lanes.load(sx, t, x + j).sub(mx).sub(ls), so, t, o + j);
    if (j < n) {
      VectorMask<Float> m = Lanes.tail(j, n);
      Lanes.store(Lanes.load(sx, t, x + j, m).sub(mx).sub(ls), so, t, o + j, m);
    }
  }
}

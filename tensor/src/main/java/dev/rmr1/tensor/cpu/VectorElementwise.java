package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.cpu.Lanes.F;
import static dev.rmr1.tensor.cpu.Lanes.N;

import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.UnaryOp;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API element-wise kernels over {@link Rows}: F32 or BF16 storage computed in float lanes.
 * Every row loop runs full vectors and then one masked vector for the tail. Operand 0 is the output
 * (row stride 1); inputs step by 1 or are broadcast (stride 0, loaded once per row). {@link Elementwise}
 * decides when these apply; {@link Reference} defines the results.
 */
final class VectorElementwise {
  private VectorElementwise() {}

  private static final VectorMask<Float> ALL = F.maskAll(true);

  /** GELU needs erf, which has no vector form accurate to float precision here; it stays scalar. */
  static boolean covers(UnaryOp op) {
    return op != UnaryOp.GELU;
  }

  /** A row's input: loaded at each position, or its one value when broadcast along the row. */
  private static FloatVector in(MemorySegment s, DType t, long at, boolean bcast, FloatVector value, VectorMask<Float> m) {
    return bcast ? value : Lanes.load(s, t, at, m);
  }

  private static FloatVector first(MemorySegment s, DType t, long at) {
    return Lanes.broadcast(Lanes.get(s, t, at));
  }

  static void fill(Rows p, MemorySegment so, DType t, float value) {
    FloatVector v = Lanes.broadcast(value);
    p.run((off, from, to) -> {
      int j = from;
      for (; j <= to - N; j += N) Lanes.store(v, so, t, off[0] + j, ALL);
      if (j < to) Lanes.store(v, so, t, off[0] + j, Lanes.tail(j, to));
    });
  }

  /** dst = src cast between F32 and BF16 (src may be broadcast). */
  static void convert(Rows p, MemorySegment so, DType to, MemorySegment sx, DType from) {
    boolean bx = p.length > 1 && p.stride(1) == 0;
    p.run((off, lo, hi) -> {
      FloatVector x0 = first(sx, from, off[1]);
      int j = lo;
      for (; j <= hi - N; j += N) Lanes.store(in(sx, from, off[1] + j, bx, x0, ALL), so, to, off[0] + j, ALL);
      if (j < hi) {
        VectorMask<Float> m = Lanes.tail(j, hi);
        Lanes.store(in(sx, from, off[1] + j, bx, x0, m), so, to, off[0] + j, m);
      }
    });
  }

  static void unary(UnaryOp op, Rows p, MemorySegment so, MemorySegment sx, DType t) {
    boolean bx = p.length > 1 && p.stride(1) == 0;
    p.run((off, from, to) -> {
      FloatVector x0 = first(sx, t, off[1]);
      int j = from;
      for (; j <= to - N; j += N) Lanes.store(apply(op, in(sx, t, off[1] + j, bx, x0, ALL)), so, t, off[0] + j, ALL);
      if (j < to) {
        VectorMask<Float> m = Lanes.tail(j, to);
        Lanes.store(apply(op, in(sx, t, off[1] + j, bx, x0, m)), so, t, off[0] + j, m);
      }
    });
  }

  static FloatVector apply(UnaryOp op, FloatVector x) {
    FloatVector one = Lanes.broadcast(1f);
    return switch (op) {
      case NEG -> x.neg();
      case ABS -> x.abs();
      case EXP -> Lanes.exp(x);
      case LOG -> x.lanewise(VectorOperators.LOG);
      case SQRT -> x.sqrt();
      case RSQRT -> one.div(x.sqrt());
      case TANH -> x.lanewise(VectorOperators.TANH);
      case SIGMOID -> one.div(one.add(Lanes.exp(x.neg())));
      case SILU -> x.div(one.add(Lanes.exp(x.neg())));
      // 0.5 * (1 + tanh(u)) = sigmoid(2u): no cancellation for negative x, unlike 1 + tanh(u) in float.
      case GELU_TANH -> {
        FloatVector u = x.mul(x).mul(0.044715f).add(1f).mul(x).mul((float) (2 * Math.sqrt(2 / Math.PI)));
        yield x.div(one.add(Lanes.exp(u.neg())));
      }
      case RELU -> x.blend(0f, x.compare(VectorOperators.LE, 0f));
      case SQUARE -> x.mul(x);
      case RECIPROCAL -> one.div(x);
      case SIN -> x.lanewise(VectorOperators.SIN);
      case COS -> x.lanewise(VectorOperators.COS);
      case GELU -> throw new IllegalArgumentException("no vector kernel for " + op);
    };
  }

  /** Arithmetic ops write t; comparisons write BOOL. */
  static void binary(BinaryOp op, Rows p, MemorySegment so, MemorySegment sa, MemorySegment sb, DType t) {
    boolean ba = p.length > 1 && p.stride(1) == 0, bb = p.length > 1 && p.stride(2) == 0;
    boolean cmp = op.isComparison();
    p.run((off, from, to) -> {
      FloatVector a0 = first(sa, t, off[1]), b0 = first(sb, t, off[2]);
      int j = from;
      for (; j <= to - N; j += N) {
        FloatVector a = in(sa, t, off[1] + j, ba, a0, ALL), b = in(sb, t, off[2] + j, bb, b0, ALL);
        if (cmp) Lanes.storeBool(compare(op, a, b), so, off[0] + j);
        else Lanes.store(apply(op, a, b), so, t, off[0] + j, ALL);
      }
      if (j < to) {
        VectorMask<Float> m = Lanes.tail(j, to);
        FloatVector a = in(sa, t, off[1] + j, ba, a0, m), b = in(sb, t, off[2] + j, bb, b0, m);
        if (cmp) Lanes.storeBool(compare(op, a, b), so, off[0] + j, to - j);
        else Lanes.store(apply(op, a, b), so, t, off[0] + j, m);
      }
    });
  }

  private static FloatVector apply(BinaryOp op, FloatVector a, FloatVector b) {
    return switch (op) {
      case ADD -> a.add(b);
      case SUB -> a.sub(b);
      case MUL -> a.mul(b);
      case DIV -> a.div(b);
      case POW -> a.lanewise(VectorOperators.POW, b);
      // FloatVector.max/min follow Math.max/min: NaN propagates and -0 < +0, as BinaryOp defines.
      case MAXIMUM -> a.max(b);
      case MINIMUM -> a.min(b);
      default -> throw new IllegalArgumentException(op + " is a comparison");
    };
  }

  private static VectorMask<Float> compare(BinaryOp op, FloatVector a, FloatVector b) {
    return switch (op) {
      case EQ -> a.compare(VectorOperators.EQ, b);
      // NaN != anything is true, as Java's != (and BinaryOp.NE) says.
      case NE -> a.compare(VectorOperators.EQ, b).not();
      case LT -> a.compare(VectorOperators.LT, b);
      case LE -> a.compare(VectorOperators.LE, b);
      case GT -> a.compare(VectorOperators.GT, b);
      case GE -> a.compare(VectorOperators.GE, b);
      default -> throw new IllegalArgumentException(op + " is not a comparison");
    };
  }

  /** out = cond ? a : b; cond is BOOL; any input may be broadcast along the row. */
  static void where(Rows p, MemorySegment so, MemorySegment sc, MemorySegment sa, MemorySegment sb, DType t) {
    boolean bc = p.length > 1 && p.stride(1) == 0, ba = p.length > 1 && p.stride(2) == 0, bb = p.length > 1 && p.stride(3) == 0;
    p.run((off, from, to) -> {
      FloatVector a0 = first(sa, t, off[2]), b0 = first(sb, t, off[3]);
      VectorMask<Float> c0 = F.maskAll(sc.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off[1]) != 0);
      int j = from;
      for (; j <= to - N; j += N) {
        VectorMask<Float> c = bc ? c0 : Lanes.loadBool(sc, off[1] + j);
        FloatVector a = in(sa, t, off[2] + j, ba, a0, ALL), b = in(sb, t, off[3] + j, bb, b0, ALL);
        Lanes.store(b.blend(a, c), so, t, off[0] + j, ALL);
      }
      if (j < to) {
        VectorMask<Float> m = Lanes.tail(j, to);
        VectorMask<Float> c = bc ? c0 : Lanes.loadBool(sc, off[1] + j, to - j);
        FloatVector a = in(sa, t, off[2] + j, ba, a0, m), b = in(sb, t, off[3] + j, bb, b0, m);
        Lanes.store(b.blend(a, c), so, t, off[0] + j, m);
      }
    });
  }
}

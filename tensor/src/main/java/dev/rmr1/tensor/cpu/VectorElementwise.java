package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.cpu.Lanes.F;
import static dev.rmr1.tensor.cpu.Lanes.N;

import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

  /**
   * GELU needs erf, which has no vector form accurate to float precision here. LOG, TANH, SIN and
   * COS would use the Vector API's transcendental lanewise ops, whose JIT-compiled form (SVML) and
   * interpreted form (java.lang.Math) can differ in the last bit: results would depend on the JIT's
   * state and a resumed training run would drift from the uninterrupted one. They stay scalar.
   */
  static boolean covers(UnaryOp op) {
    return switch (op) {
      case GELU, LOG, TANH, SIN, COS -> false;
      default -> true;
    };
  }

  /** POW has the same JIT-dependent rounding as the transcendental unary ops; it stays scalar. */
  static boolean covers(BinaryOp op) {
    return op != BinaryOp.POW;
  }

  // Each row loop is its own small static method: a kernel inlined into a large lambda body can
  // exceed C2's inlining budget, and vectors passed to methods that are not inlined get boxed.

  /** A row's input at j (full vector): loaded, or the row's one value when broadcast along the row. */
  private static FloatVector in(MemorySegment s, DType t, long at, boolean bcast, FloatVector value) {
    return bcast ? value : Lanes.load(s, t, at);
  }

  private static FloatVector in(MemorySegment s, DType t, long at, boolean bcast, FloatVector value, VectorMask<Float> m) {
    return bcast ? value : Lanes.load(s, t, at, m);
  }

  private static FloatVector first(MemorySegment s, DType t, long at) {
    return Lanes.broadcast(Lanes.get(s, t, at));
  }

  private static boolean broadcast(Rows p, int operand) {
    return p.length > 1 && p.stride(operand) == 0;
  }

  static void fill(Rows p, MemorySegment so, DType t, float value) {
    p.run((off, from, to) -> fillRow(so, t, off[0], from, to, value));
  }

  private static void fillRow(MemorySegment so, DType t, long o, int from, int to, float value) {
    FloatVector v = Lanes.broadcast(value);
    int j = from;
    for (; j <= to - N; j += N) Lanes.store(v, so, t, o + j);
    if (j < to) Lanes.store(v, so, t, o + j, Lanes.tail(j, to));
  }

  /** dst = src cast between F32 and BF16 (src may be broadcast). */
  static void convert(Rows p, MemorySegment so, DType to, MemorySegment sx, DType from) {
    boolean bx = broadcast(p, 1);
    p.run((off, lo, hi) -> convertRow(so, to, off[0], sx, from, off[1], bx, lo, hi));
  }

  private static void convertRow(MemorySegment so, DType to, long o, MemorySegment sx, DType from, long x, boolean bx, int lo, int hi) {
    FloatVector x0 = first(sx, from, x);
    int j = lo;
    for (; j <= hi - N; j += N) Lanes.store(in(sx, from, x + j, bx, x0), so, to, o + j);
    if (j < hi) {
      VectorMask<Float> m = Lanes.tail(j, hi);
      Lanes.store(in(sx, from, x + j, bx, x0, m), so, to, o + j, m);
    }
  }

  static void unary(UnaryOp op, Rows p, MemorySegment so, MemorySegment sx, DType t) {
    boolean bx = broadcast(p, 1);
    p.run((off, from, to) -> unaryRow(op, so, off[0], sx, off[1], bx, t, from, to));
  }

  private static void unaryRow(UnaryOp op, MemorySegment so, long o, MemorySegment sx, long x, boolean bx, DType t, int from, int to) {
    FloatVector x0 = first(sx, t, x);
    int j = from;
    for (; j <= to - N; j += N) Lanes.store(apply(op, in(sx, t, x + j, bx, x0)), so, t, o + j);
    if (j < to) {
      VectorMask<Float> m = Lanes.tail(j, to);
      Lanes.store(apply(op, in(sx, t, x + j, bx, x0, m)), so, t, o + j, m);
    }
  }

  private static FloatVector apply(UnaryOp op, FloatVector x) {
    FloatVector one = Lanes.broadcast(1f);
    return switch (op) {
      case NEG -> x.neg();
      case ABS -> x.abs();
      case EXP -> Lanes.exp(x);
      case SQRT -> x.sqrt();
      case RSQRT -> one.div(x.sqrt());
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
      case GELU, LOG, TANH, SIN, COS -> throw new IllegalArgumentException("no vector kernel for " + op);
    };
  }

  /** Arithmetic ops write t; comparisons write BOOL. */
  static void binary(BinaryOp op, Rows p, MemorySegment so, MemorySegment sa, MemorySegment sb, DType t) {
    boolean ba = broadcast(p, 1), bb = broadcast(p, 2);
    if (op.isComparison()) p.run((off, from, to) -> compareRow(op, so, off[0], sa, off[1], ba, sb, off[2], bb, t, from, to));
    else p.run((off, from, to) -> binaryRow(op, so, off[0], sa, off[1], ba, sb, off[2], bb, t, from, to));
  }

  private static void binaryRow(BinaryOp op, MemorySegment so, long o, MemorySegment sa, long a, boolean ba, MemorySegment sb, long b,
      boolean bb, DType t, int from, int to) {
    FloatVector a0 = first(sa, t, a), b0 = first(sb, t, b);
    int j = from;
    for (; j <= to - N; j += N) Lanes.store(apply(op, in(sa, t, a + j, ba, a0), in(sb, t, b + j, bb, b0)), so, t, o + j);
    if (j < to) {
      VectorMask<Float> m = Lanes.tail(j, to);
      Lanes.store(apply(op, in(sa, t, a + j, ba, a0, m), in(sb, t, b + j, bb, b0, m)), so, t, o + j, m);
    }
  }

  private static void compareRow(BinaryOp op, MemorySegment so, long o, MemorySegment sa, long a, boolean ba, MemorySegment sb, long b,
      boolean bb, DType t, int from, int to) {
    FloatVector a0 = first(sa, t, a), b0 = first(sb, t, b);
    int j = from;
    for (; j <= to - N; j += N) Lanes.storeBool(compare(op, in(sa, t, a + j, ba, a0), in(sb, t, b + j, bb, b0)), so, o + j);
    if (j < to) {
      VectorMask<Float> m = Lanes.tail(j, to);
      Lanes.storeBool(compare(op, in(sa, t, a + j, ba, a0, m), in(sb, t, b + j, bb, b0, m)), so, o + j, to - j);
    }
  }

  private static FloatVector apply(BinaryOp op, FloatVector a, FloatVector b) {
    return switch (op) {
      case ADD -> a.add(b);
      case SUB -> a.sub(b);
      case MUL -> a.mul(b);
      case DIV -> a.div(b);
      // FloatVector.max/min follow Math.max/min: NaN propagates and -0 < +0, as BinaryOp defines.
      case MAXIMUM -> a.max(b);
      case MINIMUM -> a.min(b);
      default -> throw new IllegalArgumentException("no vector kernel for " + op);
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
    boolean bc = broadcast(p, 1), ba = broadcast(p, 2), bb = broadcast(p, 3);
    p.run((off, from, to) -> whereRow(so, off[0], sc, off[1], bc, sa, off[2], ba, sb, off[3], bb, t, from, to));
  }

  private static void whereRow(MemorySegment so, long o, MemorySegment sc, long c, boolean bc, MemorySegment sa, long a, boolean ba,
      MemorySegment sb, long b, boolean bb, DType t, int from, int to) {
    FloatVector a0 = first(sa, t, a), b0 = first(sb, t, b);
    VectorMask<Float> c0 = F.maskAll(sc.get(ValueLayout.JAVA_BYTE, c) != 0);
    int j = from;
    for (; j <= to - N; j += N) {
      VectorMask<Float> cj = bc ? c0 : Lanes.loadBool(sc, c + j);
      Lanes.store(in(sb, t, b + j, bb, b0).blend(in(sa, t, a + j, ba, a0), cj), so, t, o + j);
    }
    if (j < to) {
      VectorMask<Float> m = Lanes.tail(j, to);
      VectorMask<Float> cj = bc ? c0 : Lanes.loadBool(sc, c + j, to - j);
      Lanes.store(in(sb, t, b + j, bb, b0, m).blend(in(sa, t, a + j, ba, a0, m), cj), so, t, o + j, m);
    }
  }
}

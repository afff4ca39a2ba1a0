package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.UnaryOp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * CPU element-wise primitives (copy, fill, unary, binary, where). Each one plans its loops with
 * {@link Rows}; when the operands qualify (F32 or BF16 storage, output rows of stride 1, inputs
 * stepping by 1 or broadcast, native memory) it runs the {@link VectorElementwise} kernel, and
 * otherwise the scalar {@link Reference}. Same-dtype copies and zero fills need no arithmetic and
 * are always done here as byte moves.
 *
 * <p>The {@code try*} methods return whether they handled the call, so tests can check that the
 * fast path is really taken for the cases it claims.
 */
final class Elementwise {
  private Elementwise() {}

  static void copy(Tensor dst, Tensor src) {
    if (!tryCopy(dst, src)) Reference.copy(dst, src);
  }

  static void fill(Tensor dst, double value) {
    if (!tryFill(dst, value)) Reference.fill(dst, value);
  }

  static void unary(UnaryOp op, Tensor out, Tensor x) {
    if (!tryUnary(op, out, x)) Reference.unary(op, out, x);
  }

  static void binary(BinaryOp op, Tensor out, Tensor a, Tensor b) {
    if (!tryBinary(op, out, a, b)) Reference.binary(op, out, a, b);
  }

  static void where(Tensor out, Tensor cond, Tensor a, Tensor b) {
    if (!tryWhere(out, cond, a, b)) Reference.where(out, cond, a, b);
  }

  /** Output rows dense, inputs dense or broadcast along the row. */
  private static boolean vectorRows(Rows p, int operands) {
    if (p.length == 1) return true;
    if (p.stride(0) != 1) return false;
    for (int t = 1; t < operands; t++) if (p.stride(t) != 1 && p.stride(t) != 0) return false;
    return true;
  }

  /** The storage types the vector kernels load and store ({@code Lanes} must not be touched to ask). */
  static boolean floatStorage(DType t) {
    return t == DType.F32 || t == DType.BF16;
  }

  /** The Vector API is on and every operand is native memory (heap segments cannot be vector-loaded). */
  static boolean simd(Tensor... ts) {
    if (!Simd.ENABLED) return false;
    for (Tensor t : ts) if (!Elements.segment(t).isNative()) return false;
    return true;
  }

  static boolean tryCopy(Tensor dst, Tensor src) {
    Rows p = Rows.elementwise(dst.shape(), dst, src);
    MemorySegment d = Elements.segment(dst), s = Elements.segment(src);
    if (dst.dtype() == src.dtype()) {
      int size = dst.dtype().byteSize();
      if (p.length == 1 || (p.stride(0) == 1 && p.stride(1) == 1))
        p.run((off, from, to) -> MemorySegment.copy(s, (off[1] + from) * size, d, (off[0] + from) * size, (long) (to - from) * size));
      else
        p.run((off, from, to) -> {
          for (int j = from; j < to; j++) copyElement(s, off[1] + j * p.stride(1), d, off[0] + j * p.stride(0), size);
        });
      return true;
    }
    if (!floatStorage(dst.dtype()) || !floatStorage(src.dtype()) || !simd(dst, src) || !vectorRows(p, 2)) return false;
    VectorElementwise.convert(p, d, dst.dtype(), s, src.dtype());
    return true;
  }

  /** Moves one element's bytes; same dtype, so no interpretation is needed. */
  private static void copyElement(MemorySegment s, long from, MemorySegment d, long to, int size) {
    switch (size) {
      case 1 -> d.set(ValueLayout.JAVA_BYTE, to, s.get(ValueLayout.JAVA_BYTE, from));
      case 2 -> d.setAtIndex(ValueLayout.JAVA_SHORT, to, s.getAtIndex(ValueLayout.JAVA_SHORT, from));
      case 4 -> d.setAtIndex(ValueLayout.JAVA_INT, to, s.getAtIndex(ValueLayout.JAVA_INT, from));
      default -> d.setAtIndex(ValueLayout.JAVA_LONG, to, s.getAtIndex(ValueLayout.JAVA_LONG, from));
    }
  }

  static boolean tryFill(Tensor dst, double value) {
    Rows p = Rows.elementwise(dst.shape(), dst);
    MemorySegment d = Elements.segment(dst);
    if (value == 0 && Double.doubleToRawLongBits(value) == 0 && (p.length == 1 || p.stride(0) == 1)) {
      // +0.0 is all zero bytes in every dtype.
      int size = dst.dtype().byteSize();
      p.run((off, from, to) -> d.asSlice((off[0] + from) * size, (long) (to - from) * size).fill((byte) 0));
      return true;
    }
    if (!floatStorage(dst.dtype()) || !simd(dst) || !vectorRows(p, 1)) return false;
    VectorElementwise.fill(p, d, dst.dtype(), (float) value);
    return true;
  }

  static boolean tryUnary(UnaryOp op, Tensor out, Tensor x) {
    if (!floatStorage(x.dtype()) || out.dtype() != x.dtype() || !simd(out, x) || !VectorElementwise.covers(op)) return false;
    Rows p = Rows.elementwise(out.shape(), out, x);
    if (!vectorRows(p, 2)) return false;
    VectorElementwise.unary(op, p, Elements.segment(out), Elements.segment(x), x.dtype());
    return true;
  }

  static boolean tryBinary(BinaryOp op, Tensor out, Tensor a, Tensor b) {
    DType t = a.dtype();
    if (!floatStorage(t) || b.dtype() != t || out.dtype() != (op.isComparison() ? DType.BOOL : t) || !simd(out, a, b)
        || !VectorElementwise.covers(op)) return false;
    Rows p = Rows.elementwise(out.shape(), out, a, b);
    if (!vectorRows(p, 3)) return false;
    VectorElementwise.binary(op, p, Elements.segment(out), Elements.segment(a), Elements.segment(b), t);
    return true;
  }

  static boolean tryWhere(Tensor out, Tensor cond, Tensor a, Tensor b) {
    DType t = out.dtype();
    if (!floatStorage(t) || a.dtype() != t || b.dtype() != t || cond.dtype() != DType.BOOL || !simd(out, cond, a, b)) return false;
    Rows p = Rows.elementwise(out.shape(), out, cond, a, b);
    if (!vectorRows(p, 4)) return false;
    VectorElementwise.where(p, Elements.segment(out), Elements.segment(cond), Elements.segment(a), Elements.segment(b), t);
    return true;
  }
}

package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.cpu.Elementwise.floatStorage;
import static dev.rmr1.tensor.cpu.Elementwise.simd;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;

/**
 * CPU RMSNorm and rotary embedding: {@link VectorNorms} when every operand's last dim has stride 1
 * and the storage is F32 or BF16, else the scalar {@link Reference}.
 */
final class Norms {
  private Norms() {}

  static void rmsNorm(Tensor out, Tensor x, Tensor w, double eps) {
    if (!tryRmsNorm(out, x, w, eps)) Reference.rmsNorm(out, x, w, eps);
  }

  static void rope(Tensor out, Tensor x, Tensor cos, Tensor sin) {
    if (!tryRope(out, x, cos, sin)) Reference.rope(out, x, cos, sin);
  }

  /** Every operand steps by 1 along the row (or the row has one element). */
  private static boolean denseRows(Rows p, int operands) {
    if (p.length == 1) return true;
    for (int t = 0; t < operands; t++) if (p.stride(t) != 1) return false;
    return true;
  }

  static boolean tryRmsNorm(Tensor out, Tensor x, Tensor w, double eps) {
    DType t = x.dtype();
    if (!floatStorage(t) || out.dtype() != t || !floatStorage(w.dtype()) || x.dim() == 0 || !simd(out, x, w)) return false;
    if (x.size(-1) > 1 && w.stride(0) != 1) return false;
    Rows p = Rows.lastDim(x.shape(), out, x);
    if (!denseRows(p, 2)) return false;
    VectorNorms.rmsNorm(p, Elements.segment(out), Elements.segment(x), t, Elements.segment(w), w.dtype(), w.offset(), eps);
    return true;
  }

  static boolean tryRope(Tensor out, Tensor x, Tensor cos, Tensor sin) {
    DType t = x.dtype();
    if (!floatStorage(t) || out.dtype() != t || cos.dtype() != t || sin.dtype() != t || x.dim() == 0 || !simd(out, x, cos, sin)) return false;
    Rows p = Rows.lastDim(x.shape(), out, x, cos, sin);
    if (!denseRows(p, 4)) return false;
    VectorNorms.rope(p, Elements.segment(out), Elements.segment(x), Elements.segment(cos), Elements.segment(sin), t);
    return true;
  }
}

package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.cpu.Elementwise.floatStorage;
import static dev.rmr1.tensor.cpu.Elementwise.simd;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;

/**
 * CPU scaled dot-product attention for F32/BF16 operands whose head rows (last dim) have stride 1:
 * prefill-sized query counts take the tiled {@link FlashAttention} forward (register-blocked tile
 * products), a few queries (decoding) the per-query online-softmax {@link VectorAttention}; other
 * operands the scalar {@link Reference}.
 */
final class Attention {
  private Attention() {}

  /** Queries per head from which the tiled kernel is used (below, most of its query tile would be padding). */
  static final int TILED_QUERIES = 8;

  static void attention(Tensor out, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    if (!tryAttention(out, q, k, v, scale, causal, qOffset)) Reference.attention(out, q, k, v, scale, causal, qOffset);
  }

  static boolean tryAttention(Tensor out, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    DType t = q.dtype();
    if (!floatStorage(t) || k.dtype() != t || v.dtype() != t || out.dtype() != t || !simd(out, q, k, v) || out.numel() == 0) return false;
    if (q.size(3) > 1 && (q.stride(3) != 1 || k.stride(3) != 1 || v.stride(3) != 1 || out.stride(3) != 1)) return false;
    if (q.size(2) >= TILED_QUERIES) FlashAttention.forward(out, null, q, k, v, scale, causal, qOffset);
    else VectorAttention.attention(out, null, q, k, v, scale, causal, qOffset);
    return true;
  }
}

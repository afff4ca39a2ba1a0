package dev.rmr1.tensor;

/**
 * An optional capability of a {@link Backend}: scaled dot-product attention for training as two
 * fused operations, a forward that also returns each query's log-sum-exp and a backward that
 * recomputes the probabilities from it (FlashAttention-2, Dao 2023, algorithm 2), so nothing of
 * size (Tq, Tk) has to live from the forward to the backward. Autograd uses it when the operands'
 * backend implements this interface and {@link #fusedAttentionSupports} accepts them; otherwise
 * it composes attention from the primitives.
 *
 * <p>Operands are those of {@link Tensor#attention} (checked by the caller): q (B, Hq, Tq, D), k and
 * v (B, Hkv, Tk, D), Hq a multiple of Hkv, any strides; lse is (B, Hq, Tq) of {@link #lseType}.
 */
public interface FusedAttention {
  /** Whether {@link #attentionForward} and {@link #attentionBackward} run on these operands (dtype, head dim). */
  boolean fusedAttentionSupports(Tensor q, Tensor k, Tensor v);

  /** out (B, Hq, Tq, D) = attention(q, k, v), and lse (B, Hq, Tq) = log-sum-exp of each query's scaled visible scores. */
  void attentionForward(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset);

  /**
   * dq, dk, dv (shapes of q, k, v; overwritten) from the output gradient dOut and the forward's out
   * and lse: with P = exp(scale q k^T - lse) (masked), dV = P^T dO, dS = P * (dO V^T - rowsum(dO *
   * O)) * scale, dQ = dS K, dK = dS^T Q, summed over the query heads that share a KV head.
   */
  void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, double scale,
      boolean causal, int qOffset);

  /** The dtype of the log-sum-exp for operands of {@code dtype}: F64 for F64, else F32. */
  static DType lseType(DType dtype) {
    return dtype == DType.F64 ? DType.F64 : DType.F32;
  }
}

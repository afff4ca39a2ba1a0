package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.cpu.Elementwise.floatStorage;
import static dev.rmr1.tensor.cpu.Elementwise.simd;

import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.KernelTimers;
import dev.rmr1.tensor.KernelTimers.Kernel;

/**
 * Attention for training on the CPU, for autograd: a forward that also returns each query's
 * log-sum-exp, and the backward that recomputes the probabilities from it pair by pair, so no
 * score-sized buffer exists in either direction and masked causal pairs are skipped. Operands are
 * those of {@link Tensor#attention} (checked by the caller); lse is (B, Hq, Tq). F32/BF16 operands
 * whose rows (last dim) have stride 1 take the Vector API kernels ({@link VectorAttention},
 * {@link FlashAttention}); anything else the scalar {@link Reference} kernels, which define
 * the results.
 */
public final class TrainingAttention {
  private TrainingAttention() {}

  /** out (B, Hq, Tq, D) = attention(q, k, v), and lse (B, Hq, Tq) = log-sum-exp of each query's scaled visible scores. */
  public static void forward(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    KernelTimers.time(Kernel.ATTENTION, CpuBackend.instance(), () -> {
      if (vectorRows(q, k, v, out)) FlashAttention.forward(out, lse, q, k, v, scale, causal, qOffset);
      else Reference.attention(out, lse, q, k, v, scale, causal, qOffset);
    });
  }

  /**
   * dq, dk, dv (shapes of q, k, v; overwritten) from the output gradient dOut and the forward's out
   * and lse; see {@link Reference#attentionBackward}.
   */
  public static void backward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, double scale,
      boolean causal, int qOffset) {
    KernelTimers.time(Kernel.ATTENTION_BACKWARD, CpuBackend.instance(), () -> {
      if (vectorRows(q, k, v, out, dOut, dq, dk, dv)) FlashAttention.backward(dq, dk, dv, dOut, q, k, v, out, lse, scale, causal, qOffset);
      else Reference.attentionBackward(dq, dk, dv, dOut, q, k, v, out, lse, scale, causal, qOffset);
    });
  }

  /** F32/BF16 native storage, Vector API on, and every (B, H, T, D) operand's rows of stride 1 (or D = 1). */
  static boolean vectorRows(Tensor... ts) {
    for (Tensor t : ts) if (!floatStorage(t.dtype())) return false;
    if (!simd(ts)) return false;
    for (Tensor t : ts) if (t.size(3) > 1 && t.stride(3) != 1) return false;
    return true;
  }
}

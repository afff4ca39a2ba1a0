package dev.rmr1.tensor;

/**
 * An optional capability of a {@link Backend}: RMSNorm's backward in one pass over each row. The
 * composed backward (autograd's {@code RmsNormOp}, the path of backends without this) runs about a
 * dozen elementwise kernels and reductions per norm, which for a 24-layer model is a few hundred
 * launches and as many passes over the activations per step.
 *
 * <p>For x (..., C), weight (C) and output gradient g (x's shape and dtype), with
 * r = 1 / sqrt(mean(x^2) + eps) and n = x r over the last dim: dx = r (g w - n mean(g w n)) and
 * gn = g n, whose sum over rows is the weight's gradient. Sums are taken in at least F64 per row.
 */
public interface FusedRmsNorm {
  /** dx and gn have x's shape and dtype (either may be null: not wanted). */
  void rmsNormBackward(Tensor dx, Tensor gn, Tensor g, Tensor x, Tensor weight, double eps);
}

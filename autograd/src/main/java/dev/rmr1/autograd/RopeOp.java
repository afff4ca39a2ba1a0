package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;

/**
 * Rotary position embedding, rotate-half form (Hugging Face {@code apply_rotary_pos_emb}):
 * y = x cos + R(x) sin with R([x1, x2]) = [-x2, x1]. R is orthogonal with R^T = -R, so
 * dx = g cos - R(g sin). When sin's two halves are equal (the Hugging Face tables are
 * cat(freqs, freqs)) R commutes with the multiplication by sin and dx = g cos + R(g)(-sin): rope of
 * the gradient with -sin, one fused kernel. cos and sin are constants (no gradient).
 */
final class RopeOp {
  private RopeOp() {}

  static Var apply(Var x, Tensor cos, Tensor sin) {
    Tensor out = x.data().rope(cos, sin);
    return Var.op("rope", out, g -> {
      try (Tensor negSin = sin.neg()) {
        return new Tensor[] {g.rope(cos, negSin)};
      }
    }, x);
  }
}

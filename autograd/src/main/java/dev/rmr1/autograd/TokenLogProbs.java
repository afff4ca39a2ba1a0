package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;
import java.util.Arrays;

/**
 * Token log-probabilities, log_softmax(logits)[target] = logits[target] - logsumexp(logits), and the
 * cross-entropy built on them. The forward needs only the per-row log-sum-exp and the gathered
 * logit; the backward writes softmax(logits) straight into the gradient buffer, scales it by -g and
 * adds g at the targets, so no vocabulary-sized buffer exists besides the gradient itself (for
 * Qwen's 151k-token vocabulary that buffer is the whole cost).
 */
final class TokenLogProbs {
  private TokenLogProbs() {}

  /** logits (..., V), targets (...) of I32/I64 in [0, V) -> (...). */
  static Var apply(Var logits, Tensor targets) {
    Tensor ld = logits.data();
    int[] ls = ld.shape();
    if (ls.length < 1 || !Arrays.equals(Arrays.copyOf(ls, ls.length - 1), targets.shape()))
      throw new IllegalArgumentException("tokenLogProbs: logits " + Arrays.toString(ls) + " need targets of shape "
          + Arrays.toString(Arrays.copyOf(ls, Math.max(0, ls.length - 1))) + ", got " + Arrays.toString(targets.shape()));
    int v = ls[ls.length - 1];
    int n = Math.toIntExact(targets.numel());
    int[] outShape = targets.shape();
    Tensor out;
    try (Tensor rows = ld.reshape(n, v); Tensor idx = targets.reshape(n, 1); Tensor lse = rows.logsumexp(1, true);
        Tensor picked = rows.gather(1, idx); Tensor lp = picked.sub(lse)) {
      out = lp.reshape(outShape);
    }
    return Var.op("tokenLogProbs", out, g -> {
      Tensor grad = Tensor.empty(ld.device(), ld.dtype(), n, v);
      try (grad; Tensor rows = ld.reshape(n, v); Tensor g2 = g.reshape(n, 1); Tensor ng = g2.neg(); Tensor idx = targets.reshape(n, 1)) {
        // d/dlogits = g * (onehot(target) - softmax(logits))
        grad.backend().softmax(grad, rows, false);
        grad.mulInPlace(ng);
        grad.scatterAddInPlace(1, idx, g2);
        return new Tensor[] {grad.view(ls)};
      }
    }, logits);
  }

  /** Mean of -log p(target) over targets != ignoreIndex (PyTorch's cross_entropy with reduction='mean'). */
  static Var crossEntropy(Var logits, Tensor targets, int ignoreIndex) {
    return maskedMeanNll(targets, ignoreIndex, safe -> apply(logits, safe));
  }

  /**
   * -mean of logProbs(targets) over the targets different from {@code ignoreIndex}; ignored positions
   * are given index 0 (valid for any vocabulary) and then weighted by 0. NaN when all are ignored.
   */
  static Var maskedMeanNll(Tensor targets, int ignoreIndex, java.util.function.Function<Tensor, Var> logProbs) {
    Tensor safe, ignored;
    try (Tensor zero = Tensor.scalar(targets.device(), targets.dtype(), 0)) {
      ignored = targets.eq(ignoreIndex);
      safe = Tensor.where(ignored, zero, targets);
    }
    Var lp = logProbs.apply(safe);
    Tensor keep;
    try (ignored; Tensor fzero = Tensor.scalar(lp.device(), lp.dtype(), 0); Tensor fone = Tensor.scalar(lp.device(), lp.dtype(), 1)) {
      keep = Tensor.where(ignored, fzero, fone);
    }
    Var count = Var.constant(keep.sum());
    return lp.mul(Var.constant(keep)).sum().div(count).neg();
  }
}

package dev.rmr1.training.grpo;

import dev.rmr1.autograd.Grad;
import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.training.config.LossAggregation;
import java.util.Arrays;

/**
 * The GRPO actor loss as verl computes it at the commit RM-R1 pins (spec 6, "Per-token loss"; verl
 * {@code core_algos.compute_policy_loss}, {@code kl_penalty(..., "low_var_kl")}, {@code dp_actor.update_policy}):
 *
 * <pre>
 * rho = exp(logp - old)
 * pg  = max(-A rho, -A clip(rho, 1 - eps, 1 + eps))
 * d   = ref - logp;   kl = clamp(exp(d) - d - 1, -c, c)            (k3, verl's c = 10)
 * l   = pg + beta kl - c_H H
 * L   = scale * aggregate(l, mask)
 * </pre>
 *
 * No log-ratio clamp and no dual clip (not in that commit). {@code scale} is {@code 1/K} for RM-R1's micro-batch
 * token mean over K micro-batches, 1 when every micro-batch is normalised by the mini-batch's totals.
 *
 * @param clipEps the ratio clip epsilon (0.2)
 * @param klBeta the KL-loss coefficient (RM-R1 1e-3; 0 disables the reference, e.g. for Dr.GRPO)
 * @param klClamp the clamp c of the k3 estimator (verl: 10)
 * @param entropyCoef the entropy bonus coefficient (0 in RM-R1's scripts; the entropy is still logged)
 */
public record GrpoLoss(double clipEps, double klBeta, double klClamp, double entropyCoef, LossAggregation aggregation) {
  /** verl's clamp of the k3 estimator. */
  public static final double KL_CLAMP = 10.0;

  public GrpoLoss {
    if (!(clipEps >= 0) || Double.isInfinite(clipEps)) throw new IllegalArgumentException("GRPO loss: invalid clip epsilon " + clipEps);
    if (!(klBeta >= 0) || Double.isInfinite(klBeta)) throw new IllegalArgumentException("GRPO loss: invalid KL coefficient " + klBeta);
    if (!(klClamp > 0)) throw new IllegalArgumentException("GRPO loss: invalid KL clamp " + klClamp);
    if (!Double.isFinite(entropyCoef)) throw new IllegalArgumentException("GRPO loss: invalid entropy coefficient " + entropyCoef);
    if (aggregation == null) throw new IllegalArgumentException("GRPO loss: aggregation is null");
  }

  /** RM-R1's settings: eps 0.2, beta 1e-3, entropy coefficient 0, token-mean. */
  public static GrpoLoss rmR1() {
    return new GrpoLoss(0.2, 1e-3, KL_CLAMP, 0.0, LossAggregation.TOKEN_MEAN);
  }

  /**
   * The loss of one micro-batch and its metric contributions. Every tensor is (N, T) over the response positions,
   * except {@code advantages} (N).
   *
   * @param logProbs log-probabilities of the sampled tokens under the policy being trained (differentiable)
   * @param oldLogProbs the same under the policy that was current before this rollout batch's updates
   * @param refLogProbs the same under the reference policy; may be null only when {@code klBeta} is 0 (the KL is
   *     then not logged)
   * @param advantages one advantage per sequence (applied to every token of it)
   * @param mask 1 up to and including the first eos, 0 after it and on padding; the dtype of {@code logProbs}
   * @param entropy per-token policy entropy, or null; required (and differentiable) when {@code entropyCoef != 0}
   * @param totals the denominators of the aggregation
   * @param scale the factor applied to the aggregated loss and to the loss-like metrics
   */
  public Result compute(Var logProbs, Tensor oldLogProbs, Tensor refLogProbs, Tensor advantages, Tensor mask, Var entropy,
      AggregationTotals totals, double scale) {
    int[] shape = logProbs.shape();
    if (shape.length != 2) throw new IllegalArgumentException("GRPO loss: log-probs must be (N, T), got " + Arrays.toString(shape));
    requireShape("old log-probs", oldLogProbs.shape(), shape);
    requireShape("mask", mask.shape(), shape);
    if (refLogProbs != null) requireShape("reference log-probs", refLogProbs.shape(), shape);
    if (entropy != null) requireShape("entropy", entropy.shape(), shape);
    requireShape("advantages", advantages.shape(), new int[] {shape[0]});
    if (mask.dtype() != logProbs.dtype())
      throw new IllegalArgumentException("GRPO loss: mask is " + mask.dtype() + " but log-probs are " + logProbs.dtype());
    if (klBeta != 0 && refLogProbs == null)
      throw new IllegalArgumentException("GRPO loss: KL coefficient " + klBeta + " needs reference log-probs");
    if (entropyCoef != 0 && (entropy == null || !entropy.requiresGrad()))
      throw new IllegalArgumentException("GRPO loss: entropy coefficient " + entropyCoef + " needs a differentiable entropy");

    Var adv = Var.constant(advantages.to(logProbs.dtype()).reshape(shape[0], 1)); // (N, 1)
    Var ratio = logProbs.sub(Var.constant(oldLogProbs.to(logProbs.dtype()))).exp(); // (N, T)
    Var pgUnclipped = ratio.mul(adv).neg();
    Var pgClipped = ratio.clamp(1 - clipEps, 1 + clipEps).mul(adv).neg();
    Var pg = pgUnclipped.maximum(pgClipped);
    Var perToken = pg;
    Var kl = null;
    if (refLogProbs != null) {
      Var d = Var.constant(refLogProbs.to(logProbs.dtype())).sub(logProbs);
      kl = d.exp().sub(d).sub(1.0).clamp(-klClamp, klClamp);
      if (klBeta != 0) perToken = perToken.add(kl.mul(klBeta));
    }
    if (entropyCoef != 0) perToken = perToken.sub(entropy.mul(entropyCoef));
    Var loss = Aggregation.reduce(aggregation, perToken, mask, totals).mul(scale);

    try (TensorScope metrics = TensorScope.open(); Grad.Guard noGrad = Grad.disabled()) {
      double pgLoss = Aggregation.reduce(aggregation, pg.detach(), mask, totals).item() * scale;
      double klLoss = kl == null ? Double.NaN : Aggregation.reduce(aggregation, kl.detach(), mask, totals).item() * scale;
      double ent = entropy == null ? Double.NaN : Aggregation.reduce(aggregation, entropy.detach(), mask, totals).item() * scale;
      // verl: pg_clipfrac = masked_mean(pg_losses2 > pg_losses); ppo_kl = masked_mean(old - logp)
      double clipped = pgClipped.data().gt(pgUnclipped.data()).to(mask.dtype()).mul(mask).sum().item();
      double ppoKl = Var.constant(oldLogProbs.to(logProbs.dtype())).sub(logProbs.detach()).data().mul(mask).sum().item();
      double tokens = mask.sum().item();
      return new Result(loss, pgLoss, klLoss, ent, clipped, ppoKl, tokens);
    }
  }

  private static void requireShape(String what, int[] actual, int[] expected) {
    if (!Arrays.equals(actual, expected))
      throw new IllegalArgumentException("GRPO loss: " + what + " is " + Arrays.toString(actual) + ", expected " + Arrays.toString(expected));
  }

  /**
   * One micro-batch's loss and metric contributions. The loss-like values ({@code pgLoss}, {@code klLoss},
   * {@code entropy}) are aggregated and scaled like the loss, so the micro-batches of a mini-batch add up to the
   * mini-batch's values; {@code clippedTokens} and {@code ppoKlSum} are masked sums over {@code tokens} response
   * tokens. Metrics that were not computed are NaN.
   */
  public record Result(Var loss, double pgLoss, double klLoss, double entropy, double clippedTokens, double ppoKlSum, double tokens) {}
}

package dev.rmr1.training.grpo;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.training.config.LossAggregation;
import java.util.Arrays;

/**
 * Reduces per-token GRPO losses {@code l_{i,t}} of a batch to one scalar by a {@link LossAggregation} mode (spec 6,
 * "Variants"; verl {@code core_algos.agg_loss}), with {@code m} the response mask, {@code n_i = sum_t m_{i,t}}, and the
 * denominators of {@link AggregationTotals} (N sequences, D tokens, the normalisation length L):
 *
 * <ul>
 *   <li>token-mean: {@code sum_{i,t} m l / D};
 *   <li>seq-mean-token-mean: {@code (1/N) sum_i (sum_t m l) / n_i} (TRL's {@code grpo});
 *   <li>seq-mean-token-sum: {@code (1/N) sum_i sum_t m l};
 *   <li>Dr.GRPO (seq-mean-token-sum-norm): {@code sum_{i,t} m l / (N L)} with L the maximum response length.
 * </ul>
 *
 * The batch that is reduced may be a part of the batch that the totals describe (a micro-batch of a mini-batch): the
 * parts' results then add up to the whole's.
 */
public final class Aggregation {
  private Aggregation() {}

  /**
   * Reduces {@code perToken} (N, T) under {@code mask} (N, T; 1 for response tokens, 0 after the first eos and for
   * padding) with the denominators of {@code totals}. Differentiable in {@code perToken}.
   */
  public static Var reduce(LossAggregation mode, Var perToken, Tensor mask, AggregationTotals totals) {
    if (!Arrays.equals(perToken.shape(), mask.shape()) || perToken.dim() != 2)
      throw new IllegalArgumentException(mode + ": per-token values " + Arrays.toString(perToken.shape()) + " and mask "
          + Arrays.toString(mask.shape()) + " must be the same (N, T) shape");
    Var masked = perToken.mul(Var.constant(mask)); // (N, T)
    return switch (mode) {
      case TOKEN_MEAN -> masked.sum().div(totals.tokens());
      case SEQ_MEAN_TOKEN_MEAN -> {
        // A sequence without response tokens (cannot come from a rollout, which emits at least one token) adds 0
        // instead of verl's 0/0.
        Var lengths = Var.constant(mask.sum(1, false).maximum(1.0)); // (N)
        yield masked.sum(1, false).div(lengths).sum().div(totals.sequences());
      }
      case SEQ_MEAN_TOKEN_SUM -> masked.sum().div(totals.sequences());
      case DR_GRPO -> masked.sum().div((double) totals.sequences() * totals.normLength());
    };
  }
}

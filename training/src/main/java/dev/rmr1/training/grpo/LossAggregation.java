package dev.rmr1.training.grpo;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * How per-token GRPO losses {@code l_{i,t}} of a batch become one scalar (spec 6, "Variants"; verl
 * {@code core_algos.agg_loss}), with {@code m} the response mask, {@code n_i = sum_t m_{i,t}}, and the denominators
 * of {@link AggregationTotals} (N sequences, D tokens, the normalisation length L):
 *
 * <ul>
 *   <li>{@link #TOKEN_MEAN}: {@code sum_{i,t} m l / D};
 *   <li>{@link #SEQ_MEAN_TOKEN_MEAN}: {@code (1/N) sum_i (sum_t m l) / n_i} (TRL's {@code grpo});
 *   <li>{@link #SEQ_MEAN_TOKEN_SUM}: {@code (1/N) sum_i sum_t m l};
 *   <li>{@link #SEQ_MEAN_TOKEN_SUM_NORM}: Dr.GRPO, {@code sum_{i,t} m l / (N L)} with L the maximum response length.
 * </ul>
 *
 * The batch that is reduced may be a part of the batch that the totals describe (a micro-batch of a mini-batch): the
 * parts' results then add up to the whole's.
 */
public enum LossAggregation {
  TOKEN_MEAN("token-mean"),
  SEQ_MEAN_TOKEN_MEAN("seq-mean-token-mean"),
  SEQ_MEAN_TOKEN_SUM("seq-mean-token-sum"),
  SEQ_MEAN_TOKEN_SUM_NORM("seq-mean-token-sum-norm");

  private final String verlName;

  LossAggregation(String verlName) {
    this.verlName = verlName;
  }

  /** verl's {@code loss_agg_mode} name, e.g. {@code seq-mean-token-mean}. */
  public String verlName() {
    return verlName;
  }

  /** Parses verl's name, the enum name in any case, or {@code dr-grpo} / {@code dr_grpo} for Dr.GRPO. */
  public static LossAggregation parse(String s) {
    String k = s.strip().toLowerCase(Locale.ROOT).replace('_', '-');
    if (k.equals("dr-grpo")) return SEQ_MEAN_TOKEN_SUM_NORM;
    for (LossAggregation a : values()) if (a.verlName.equals(k)) return a;
    throw new IllegalArgumentException("unknown loss aggregation '" + s + "'; expected one of "
        + Arrays.stream(values()).map(LossAggregation::verlName).toList() + " or dr-grpo");
  }

  /**
   * Reduces {@code perToken} (N, T) under {@code mask} (N, T; 1 for response tokens, 0 after the first eos and for
   * padding) with the denominators of {@code totals}. Differentiable in {@code perToken}.
   */
  public Var reduce(Var perToken, Tensor mask, AggregationTotals totals) {
    if (!Arrays.equals(perToken.shape(), mask.shape()) || perToken.dim() != 2)
      throw new IllegalArgumentException(verlName + ": per-token values " + Arrays.toString(perToken.shape())
          + " and mask " + Arrays.toString(mask.shape()) + " must be the same (N, T) shape");
    Var m = Var.constant(mask);
    Var masked = perToken.mul(m); // (N, T)
    return switch (this) {
      case TOKEN_MEAN -> masked.sum().div(totals.tokens());
      case SEQ_MEAN_TOKEN_MEAN -> {
        // A sequence without response tokens (cannot come from a rollout, which emits at least one token) adds 0
        // instead of verl's 0/0.
        Var lengths = Var.constant(mask.sum(1, false).maximum(1.0)); // (N)
        yield masked.sum(1, false).div(lengths).sum().div(totals.sequences());
      }
      case SEQ_MEAN_TOKEN_SUM -> masked.sum().div(totals.sequences());
      case SEQ_MEAN_TOKEN_SUM_NORM -> masked.sum().div((double) totals.sequences() * totals.normLength());
    };
  }
}

package dev.rmr1.training.config;

/**
 * How GRPO reduces per-token losses {@code l_{i,t}} under the response mask {@code m_{i,t}} to one
 * number (spec section 6); N sequences, {@code n_i = sum_t m_{i,t}}.
 */
public enum LossAggregation {
  /** {@code sum_{i,t} m l / sum_{i,t} m} per micro-batch (verl's token-mean, RM-R1's setting). */
  TOKEN_MEAN,
  /** {@code (1/N) sum_i (sum_t m l) / n_i} (TRL's "grpo"). */
  SEQ_MEAN_TOKEN_MEAN,
  /** {@code (1/N) sum_i sum_t m l}. */
  SEQ_MEAN_TOKEN_SUM,
  /** {@code sum_{i,t} m l / (N L_max)} (Dr.GRPO; the recipe also drops the std and the KL loss). */
  DR_GRPO
}

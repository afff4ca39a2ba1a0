package dev.rmr1.training.reward;

/**
 * A GRPO reward: a number for one sampled response given its record's label. Pluggable so that the RM-R1 rule, a
 * format reward and user-provided rules (e.g. SPCT-style pointwise scores, spec 10) can be swapped or combined.
 */
@FunctionalInterface
public interface RewardFunction {
  /**
   * @param response the decoded response, special tokens kept, up to and including the first eos (spec 3.1)
   * @param label the record's label, e.g. the RLVR {@code winner} ({@code model_a} / {@code model_b})
   */
  double reward(String response, String label);
}

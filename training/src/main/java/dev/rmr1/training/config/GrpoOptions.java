package dev.rmr1.training.config;

/** The GRPO objective and its updates (section {@code grpo}; spec section 6). */
public record GrpoOptions(
    @Doc("prompts per step (each sampled group_size times)") int promptsPerStep,
    @Doc("optimizer updates per step: consecutive slices of the step's prompts") int miniBatches,
    @Doc("responses per forward/backward within a mini-batch") int microBatch,
    @Doc("passes over the prompts") int epochs,
    @Doc("stop after this many steps (0: all epochs)") int maxSteps,
    @Doc("PPO ratio clip epsilon") double clipEps,
    @Doc("weight of the KL-to-reference term in the loss (k3 estimator)") double klBeta,
    @Doc("clamp the per-token k3 KL to [-kl_clamp, kl_clamp]") double klClamp,
    @Doc("entropy bonus coefficient (entropy is logged either way)") double entropyCoeff,
    @Doc("loss reduction over tokens and sequences") LossAggregation lossAggregation,
    @Doc("divide advantages by the group's unbiased std + 1e-6 (false: r - mean only)") boolean normAdvByStd,
    @Doc("recompute activations in backward to save memory") boolean gradientCheckpointing,
    @Doc("reward function: rm_r1 (the +1/-1 verdict rule) or another registered name") String reward)
    implements Validated {

  /**
   * RM-R1's verl setting: 1024 prompts per step in 8 mini-batches, eps 0.2, k3 KL with beta 1e-3
   * clamped to 10, no entropy bonus, token-mean, std-normalised advantages, one epoch; micro-batch 1
   * (the 14B/32B setting, which is exactly seq-mean-token-mean per micro-batch).
   */
  public static GrpoOptions defaults() {
    return new GrpoOptions(1024, 8, 1, 1, 0, 0.2, 1e-3, 10.0, 0.0, LossAggregation.TOKEN_MEAN, true, true, "rm_r1");
  }

  @Override
  public void validate(Problems p) {
    p.check(promptsPerStep >= 1, "prompts_per_step", "must be >= 1");
    p.check(miniBatches >= 1, "mini_batches", "must be >= 1");
    if (promptsPerStep >= 1 && miniBatches >= 1)
      p.check(promptsPerStep % miniBatches == 0, "prompts_per_step", "must be a multiple of grpo.mini_batches (" + miniBatches + ")");
    p.check(microBatch >= 1, "micro_batch", "must be >= 1");
    p.check(epochs >= 1, "epochs", "must be >= 1");
    p.check(maxSteps >= 0, "max_steps", "must be >= 0");
    p.check(clipEps > 0 && clipEps < 1, "clip_eps", "must be in (0, 1)");
    p.check(klBeta >= 0, "kl_beta", "must be >= 0");
    p.check(klClamp > 0, "kl_clamp", "must be > 0");
    p.check(entropyCoeff >= 0, "entropy_coeff", "must be >= 0");
    p.check(!reward.isBlank(), "reward", "must name a reward function");
  }
}

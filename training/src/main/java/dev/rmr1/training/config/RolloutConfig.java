package dev.rmr1.training.config;

import dev.rmr1.models.generate.SamplingParams;

/** GRPO rollouts (section {@code rollout}; spec section 6). */
public record RolloutConfig(
    @Doc("responses sampled per prompt (G)") int groupSize,
    @Doc("sampling temperature") double temperature,
    @Doc("nucleus sampling (1: off)") double topP,
    @Doc("top-k sampling (0: off)") int topK,
    @Doc("longest prompt in tokens") int maxPromptLen,
    @Doc("longest response in tokens") int maxNewTokens)
    implements Validated {

  /** RM-R1: G = 7 at temperature 1 with top-p 1 and no top-k; prompts <= 4096 and responses <= 8192 tokens. */
  public static RolloutConfig defaults() {
    return new RolloutConfig(7, 1.0, 1.0, 0, 4096, 8192);
  }

  /** The sampler settings of these rollouts. */
  public SamplingParams samplingParams() {
    return new SamplingParams(temperature, topK, topP, 0);
  }

  @Override
  public void validate(Problems p) {
    p.check(groupSize >= 1, "group_size", "must be >= 1");
    p.check(temperature > 0, "temperature", "must be > 0 (GRPO samples; greedy responses would all be equal)");
    p.check(topP > 0 && topP <= 1, "top_p", "must be in (0, 1]");
    p.check(topK >= 0, "top_k", "must be >= 0 (0 turns it off)");
    p.check(maxPromptLen >= 1, "max_prompt_len", "must be >= 1");
    p.check(maxNewTokens >= 1, "max_new_tokens", "must be >= 1");
  }
}

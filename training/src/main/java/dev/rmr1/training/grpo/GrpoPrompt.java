package dev.rmr1.training.grpo;

/**
 * One RLVR prompt ready for rollouts: the token ids of {@code template(context_messages, add_generation_prompt=True)}
 * tokenized without special tokens (spec 4, verl {@code rl_dataset.py}), and the label the reward checks
 * ({@code model_a} / {@code model_b}).
 */
public record GrpoPrompt(int[] ids, String label) {
  public GrpoPrompt {
    if (ids.length == 0) throw new IllegalArgumentException("an empty prompt");
    ids = ids.clone();
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }

  public int length() {
    return ids.length;
  }
}

package dev.rmr1.models.generate;

import java.util.Objects;

/**
 * One sequence to generate: its prompt ids, how to sample and the seed of its own random stream,
 * so that its tokens do not depend on the other sequences of the batch. Several requests with the
 * same prompt (GRPO's group of samples) share one prefill.
 */
public record GenerationRequest(int[] promptIds, SamplingParams sampling, long seed) {
  public GenerationRequest {
    Objects.requireNonNull(promptIds, "promptIds");
    Objects.requireNonNull(sampling, "sampling");
    if (promptIds.length == 0) throw new IllegalArgumentException("a prompt needs at least one token");
    promptIds = promptIds.clone();
  }

  @Override
  public int[] promptIds() {
    return promptIds.clone();
  }

  int promptLength() {
    return promptIds.length;
  }

  int promptId(int i) {
    return promptIds[i];
  }

  int[] promptSlice(int from, int to) {
    return java.util.Arrays.copyOfRange(promptIds, from, to);
  }

  boolean samePrompt(GenerationRequest o) {
    return java.util.Arrays.equals(promptIds, o.promptIds);
  }
}

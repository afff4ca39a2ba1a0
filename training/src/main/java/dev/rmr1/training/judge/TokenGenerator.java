package dev.rmr1.training.judge;

import java.util.List;

/**
 * Batched continuation of token-id prompts: what a {@link ChatJudge} needs from a language model. Implemented over
 * the models module's KV-cache generator; tests use scripted fakes.
 */
public interface TokenGenerator {
  /** Told each new token of row {@code row} as soon as it is chosen (for streaming). */
  @FunctionalInterface
  interface TokenSink {
    TokenSink NONE = (row, id) -> {};

    void accept(int row, int id);
  }

  /**
   * Continues every prompt until it emits an end-of-sequence id or {@code maxNewTokens[i]} new tokens.
   *
   * @return for each prompt, in order, its new ids only (the end-of-sequence id included when it stopped on one)
   */
  List<int[]> generate(List<int[]> prompts, int[] maxNewTokens, TokenSink sink);

  /** The longest prompt plus continuation the model accepts (its {@code max_position_embeddings}). */
  int contextLength();
}

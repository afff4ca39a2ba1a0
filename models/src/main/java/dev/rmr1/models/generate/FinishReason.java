package dev.rmr1.models.generate;

/** Why a sequence stopped growing. */
public enum FinishReason {
  /** It produced one of the end-of-sequence ids (the id is the last generated token). */
  EOS,
  /** Its text came to contain one of the stop strings (the token completing it is the last one). */
  STOP_STRING,
  /** It reached {@code maxNewTokens}. */
  LENGTH,
  /** Prompt plus generated tokens reached the model's {@code max_position_embeddings}. */
  CONTEXT
}

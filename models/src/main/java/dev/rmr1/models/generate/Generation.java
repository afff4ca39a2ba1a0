package dev.rmr1.models.generate;

/**
 * The outcome of one {@link GenerationRequest}.
 *
 * @param tokens the generated ids only (not the prompt), including the eos or stop-completing token
 * @param finishReason why it stopped
 * @param text the decoded text of {@code tokens} (special tokens kept), or null without a decoder
 */
public record Generation(int[] tokens, FinishReason finishReason, String text) {
  public Generation {
    tokens = tokens.clone();
  }

  @Override
  public int[] tokens() {
    return tokens.clone();
  }
}

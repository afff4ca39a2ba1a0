package dev.rmr1.training.sft;

/**
 * What tokenizing an SFT set did (spec 11, SFT: dropped and truncated counts): samples kept, dropped for an empty
 * prompt or response, for {@code prompt_len >= max_len - 2}, or for having no token left to train on, samples cut at
 * {@code max_len}, and the kept samples' token and loss-token totals.
 */
public final class SftDataStats {
  int kept, droppedEmpty, droppedPromptTooLong, droppedNoLossTokens, truncated;
  long tokens, lossTokens;

  public int kept() {
    return kept;
  }

  public int droppedEmpty() {
    return droppedEmpty;
  }

  public int droppedPromptTooLong() {
    return droppedPromptTooLong;
  }

  public int droppedNoLossTokens() {
    return droppedNoLossTokens;
  }

  public int dropped() {
    return droppedEmpty + droppedPromptTooLong + droppedNoLossTokens;
  }

  public int truncated() {
    return truncated;
  }

  public long tokens() {
    return tokens;
  }

  public long lossTokens() {
    return lossTokens;
  }

  @Override
  public String toString() {
    return "kept " + kept + ", dropped " + dropped() + " (empty " + droppedEmpty + ", prompt too long " + droppedPromptTooLong
        + ", nothing to train " + droppedNoLossTokens + "), truncated " + truncated + ", " + tokens + " tokens, " + lossTokens
        + " loss tokens";
  }
}

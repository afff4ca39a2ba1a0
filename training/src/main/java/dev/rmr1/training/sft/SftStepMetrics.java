package dev.rmr1.training.sft;

/**
 * What one SFT optimizer step did (spec 11, SFT): {@code train/loss} (the sum over the step's micro-batches of each
 * micro-batch's token-mean loss divided by their count, i.e. what was back-propagated), the learning rate the step
 * used, the pre-clip global gradient norm, loss tokens and all (non-padding) tokens, micro-batches, and wall time.
 *
 * @param step the 1-based number of this optimizer step
 */
public record SftStepMetrics(long step, int epoch, double loss, double lr, double gradNorm, long lossTokens, long tokens, int microBatches,
    double seconds) {
  /** Non-padding tokens through forward and backward per second. */
  public double tokensPerSecond() {
    return seconds > 0 ? tokens / seconds : Double.NaN;
  }
}

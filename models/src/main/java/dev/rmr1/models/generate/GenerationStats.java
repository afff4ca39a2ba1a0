package dev.rmr1.models.generate;

/**
 * Work and time of one {@link Generator#generate} call, split into prefill (prompt tokens run
 * through the model, plus sampling each sequence's first token) and decode (one step per token
 * after the first, all active sequences together, sampling included).
 *
 * @param prefillTokens prompt tokens processed (a prompt shared by several requests counts once)
 * @param prefillNanos time in prefill passes
 * @param decodeTokens tokens produced by decode steps (summed over sequences)
 * @param decodeSteps decode steps run
 * @param decodeNanos time in decode steps
 */
public record GenerationStats(long prefillTokens, long prefillNanos, long decodeTokens, long decodeSteps, long decodeNanos) {
  public double prefillTokensPerSecond() {
    return prefillNanos == 0 ? 0 : prefillTokens * 1e9 / prefillNanos;
  }

  /** Generated tokens of all sequences per second of decoding. */
  public double decodeTokensPerSecond() {
    return decodeNanos == 0 ? 0 : decodeTokens * 1e9 / decodeNanos;
  }
}

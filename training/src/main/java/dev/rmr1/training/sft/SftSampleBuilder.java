package dev.rmr1.training.sft;

import dev.rmr1.training.data.SftRecord;
import dev.rmr1.training.data.SftText;
import dev.rmr1.training.data.SftTextBuilder;
import java.util.Objects;
import java.util.Optional;

/**
 * Tokenizes RM-R1 SFT records, the token-level steps 4-6 of spec 5 (vendored OpenRLHF {@code sft_dataset.py}) on top
 * of {@link SftTextBuilder}:
 *
 * <ol start="4">
 *   <li>tokenize {@code text} with {@code add_special_tokens=False}, truncate to {@code maxLen} tokens, and set the
 *       last token to eos (so a truncated sample still ends with eos);
 *   <li>drop the sample if the prompt or response is empty, or if {@code prompt_len >= maxLen - 2}, where
 *       {@code prompt_len} is the token count of the prompt alone;
 *   <li>the first {@code prompt_len} positions get label -100 (or the token count of prompt + assistant header with
 *       {@code maskAssistantHeader}).
 * </ol>
 *
 * A sample whose masked prefix leaves no token to train on (possible only with {@code maskAssistantHeader} and
 * truncation) is dropped too. Every outcome is counted in {@link #stats()}; nothing is dropped silently.
 */
public final class SftSampleBuilder {
  private final SftTextBuilder texts;
  private final TokenCodec codec;
  private final int eosId;
  private final int maxLen;
  private final SftDataStats stats = new SftDataStats();

  /** @param maxLen the maximum sequence length in tokens (RM-R1: 12,288); at least 3 */
  public SftSampleBuilder(SftTextBuilder texts, TokenCodec codec, int eosId, int maxLen) {
    this.texts = Objects.requireNonNull(texts, "texts");
    this.codec = Objects.requireNonNull(codec, "codec");
    if (eosId < 0) throw new IllegalArgumentException("eos id " + eosId + " is negative");
    if (maxLen < 3) throw new IllegalArgumentException("max_len " + maxLen + " leaves no room for a response (need >= 3)");
    this.eosId = eosId;
    this.maxLen = maxLen;
  }

  /** The sample of {@code record}, or empty when a rule of spec 5 step 5 drops it. */
  public Optional<SftSample> build(SftRecord record) {
    Optional<SftText> text = texts.build(record);
    if (text.isEmpty()) {
      stats.droppedEmpty++;
      return Optional.empty();
    }
    return build(text.get());
  }

  /** The sample of an already-built text (steps 4-6). */
  public Optional<SftSample> build(SftText text) {
    int promptLen = Math.min(codec.encode(text.prompt()).length, maxLen); // OpenRLHF truncates the prompt as well
    if (SftTextBuilder.promptTooLong(promptLen, maxLen)) {
      stats.droppedPromptTooLong++;
      return Optional.empty();
    }
    int[] all = codec.encode(text.text());
    if (all.length == 0) throw new IllegalStateException("the tokenizer returned no tokens for a non-empty SFT text");
    boolean truncated = all.length > maxLen;
    int[] ids = truncated ? java.util.Arrays.copyOf(all, maxLen) : all;
    ids[ids.length - 1] = eosId; // "to avoid EOS_token truncation"
    int masked = text.lossMaskedPrefix().equals(text.prompt()) ? promptLen : codec.encode(text.lossMaskedPrefix()).length;
    masked = Math.min(masked, ids.length);
    SftSample sample = new SftSample(ids, masked, truncated);
    if (sample.lossTokens() <= 0) {
      stats.droppedNoLossTokens++;
      return Optional.empty();
    }
    if (truncated) stats.truncated++;
    stats.kept++;
    stats.lossTokens += sample.lossTokens();
    stats.tokens += sample.length();
    return Optional.of(sample);
  }

  /** Counts so far. */
  public SftDataStats stats() {
    return stats;
  }
}

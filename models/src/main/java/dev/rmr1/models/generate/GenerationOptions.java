package dev.rmr1.models.generate;

import dev.rmr1.models.config.GenerationConfig;
import java.util.List;
import java.util.Set;

/**
 * Limits and stopping rules shared by a batch of {@link GenerationRequest}s.
 *
 * @param maxNewTokens generated tokens per sequence at most (&gt;= 1)
 * @param eosTokenIds a sequence stops after producing any of these (empty: never)
 * @param stopStrings a sequence stops once its decoded text contains any of these (needs a decoder)
 * @param decoder text for streaming and stop strings; null for ids only
 * @param maxBatchSize sequences decoded at once; the others wait and start as earlier ones finish
 * @param maxPrefillTokens prompt tokens run through the model in one pass at most (longer prompts
 *     are prefilled in chunks), bounding activation memory
 */
public record GenerationOptions(int maxNewTokens, Set<Integer> eosTokenIds, List<String> stopStrings, TokenDecoder decoder,
    int maxBatchSize, int maxPrefillTokens) {
  public static final int DEFAULT_MAX_BATCH = 32;
  public static final int DEFAULT_MAX_PREFILL_TOKENS = 4096;

  public GenerationOptions {
    if (maxNewTokens < 1) throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
    if (maxBatchSize < 1) throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + maxBatchSize);
    if (maxPrefillTokens < 1) throw new IllegalArgumentException("maxPrefillTokens must be at least 1, got " + maxPrefillTokens);
    eosTokenIds = Set.copyOf(eosTokenIds);
    stopStrings = List.copyOf(stopStrings);
    for (String s : stopStrings) if (s.isEmpty()) throw new IllegalArgumentException("empty stop string");
    if (!stopStrings.isEmpty() && decoder == null) throw new IllegalArgumentException("stop strings need a TokenDecoder");
  }

  /** No eos, no stop strings, no decoder, default batch and prefill limits. */
  public static GenerationOptions of(int maxNewTokens) {
    return new GenerationOptions(maxNewTokens, Set.of(), List.of(), null, DEFAULT_MAX_BATCH, DEFAULT_MAX_PREFILL_TOKENS);
  }

  /** Stops on the eos ids of a model's generation_config.json (one id or a list). */
  public static GenerationOptions of(int maxNewTokens, GenerationConfig config) {
    return of(maxNewTokens).withEos(Set.copyOf(config.eosTokenIds()));
  }

  public GenerationOptions withEos(Set<Integer> ids) {
    return new GenerationOptions(maxNewTokens, ids, stopStrings, decoder, maxBatchSize, maxPrefillTokens);
  }

  public GenerationOptions withDecoder(TokenDecoder d) {
    return new GenerationOptions(maxNewTokens, eosTokenIds, stopStrings, d, maxBatchSize, maxPrefillTokens);
  }

  public GenerationOptions withStopStrings(List<String> stops) {
    return new GenerationOptions(maxNewTokens, eosTokenIds, stops, decoder, maxBatchSize, maxPrefillTokens);
  }

  public GenerationOptions withMaxBatchSize(int n) {
    return new GenerationOptions(maxNewTokens, eosTokenIds, stopStrings, decoder, n, maxPrefillTokens);
  }

  public GenerationOptions withMaxPrefillTokens(int n) {
    return new GenerationOptions(maxNewTokens, eosTokenIds, stopStrings, decoder, maxBatchSize, n);
  }
}

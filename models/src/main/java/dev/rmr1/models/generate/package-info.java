/**
 * Generation with a KV cache: {@link dev.rmr1.models.generate.Generator} runs many sequences of
 * different lengths at once (per-sequence caches and positions, shared prefill for identical
 * prompts, finished sequences leave the batch), sampling each token with
 * {@link dev.rmr1.models.generate.Sampler} (greedy, temperature, top-k, top-p, min-p; seeded per
 * sequence), stopping on eos ids, stop strings ({@link dev.rmr1.models.generate.TokenDecoder}),
 * {@code maxNewTokens} or the context length, and streaming tokens to a
 * {@link dev.rmr1.models.generate.GenerationListener}. {@link dev.rmr1.models.generate.DecodeBenchmark}
 * measures its prefill and decode throughput.
 */
package dev.rmr1.models.generate;

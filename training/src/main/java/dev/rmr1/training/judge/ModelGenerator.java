package dev.rmr1.training.judge;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.generate.Generation;
import dev.rmr1.models.generate.GenerationOptions;
import dev.rmr1.models.generate.GenerationRequest;
import dev.rmr1.models.generate.GenerationListener;
import dev.rmr1.models.generate.Generator;
import dev.rmr1.models.generate.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Greedy batched generation on a {@link CausalLM} (spec 8: T = 0, n = 1) through the models module's KV-cache
 * {@link Generator}: up to {@code maxBatchSize} sequences decode together, each stops at the first of the
 * {@code eosIds}, at its token budget or at the model's context. The generator stops every sequence at the context
 * by itself, so the batch runs with the largest budget and each row is cut to its own.
 */
public final class ModelGenerator implements TokenGenerator {
  private final CausalLM model;
  private final Generator generator;
  private final Set<Integer> eosIds;
  private final int maxBatchSize;

  public ModelGenerator(CausalLM model, Set<Integer> eosIds, int maxBatchSize) {
    if (eosIds.isEmpty()) throw new IllegalArgumentException("a judge needs at least one end-of-sequence id");
    if (maxBatchSize < 1) throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
    this.model = model;
    this.generator = new Generator(model);
    this.eosIds = Set.copyOf(eosIds);
    this.maxBatchSize = maxBatchSize;
  }

  @Override
  public List<int[]> generate(List<int[]> prompts, int[] maxNewTokens, TokenSink sink) {
    if (maxNewTokens.length != prompts.size()) {
      throw new IllegalArgumentException(maxNewTokens.length + " token budgets for " + prompts.size() + " prompts");
    }
    int budget = 1;
    List<GenerationRequest> requests = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      budget = Math.max(budget, maxNewTokens[i]);
      requests.add(new GenerationRequest(prompts.get(i), SamplingParams.GREEDY, 0));
    }
    GenerationOptions options = GenerationOptions.of(budget).withEos(eosIds).withMaxBatchSize(maxBatchSize);
    int[] streamed = new int[prompts.size()];
    GenerationListener listener = (seq, token, text) -> {
      if (streamed[seq]++ < maxNewTokens[seq]) sink.accept(seq, token);
    };
    List<Generation> out = generator.generate(requests, options, listener).generations();
    List<int[]> ids = new ArrayList<>(out.size());
    for (int i = 0; i < out.size(); i++) {
      int[] t = out.get(i).tokens();
      ids.add(t.length > maxNewTokens[i] ? java.util.Arrays.copyOf(t, maxNewTokens[i]) : t);
    }
    return ids;
  }

  @Override
  public int contextLength() {
    return model.config().maxPositionEmbeddings();
  }
}

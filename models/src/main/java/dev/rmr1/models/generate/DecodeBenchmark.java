package dev.rmr1.models.generate;

import dev.rmr1.models.CausalLM;
import dev.rmr1.nn.Parameter;
import dev.rmr1.tensor.KernelTimers;
import dev.rmr1.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Prefill and decode throughput of a model through {@link Generator}: {@code batch} distinct random
 * prompts of {@code promptTokens} tokens (no shared prefix), prefilled in one pass, then greedy
 * decoding (or the given sampling) with eos disabled until each has {@code newTokens} tokens. Prefill speed is prompt
 * tokens per second of prefill; decode speed is tokens produced by decode steps (all sequences;
 * the first token of each comes from the prefill) per second of decoding. Medians over
 * {@code repeats} runs after {@code warmups} unmeasured ones.
 */
public final class DecodeBenchmark {
  public record Settings(int promptTokens, int newTokens, int batch, int warmups, int repeats, long seed, SamplingParams sampling) {
    public Settings {
      if (promptTokens < 1 || newTokens < 2 || batch < 1 || warmups < 0 || repeats < 1)
        throw new IllegalArgumentException("need prompt tokens >= 1, new tokens >= 2 (one decode step), batch >= 1, warmups >= 0, repeats >= 1");
      java.util.Objects.requireNonNull(sampling, "sampling");
    }

    /** Greedy decoding. */
    public Settings(int promptTokens, int newTokens, int batch, int warmups, int repeats, long seed) {
      this(promptTokens, newTokens, batch, warmups, repeats, seed, SamplingParams.GREEDY);
    }
  }

  /** Medians, and every measured run's statistics. */
  public record Result(Settings settings, double prefillTokensPerSecond, double decodeTokensPerSecond, List<GenerationStats> runs) {}

  private DecodeBenchmark() {}

  public static Result run(CausalLM model, Settings s) {
    List<GenerationRequest> requests = requests(model, s);
    GenerationOptions options = options(s);
    Generator generator = new Generator(model);
    for (int w = 0; w < s.warmups(); w++) generator.generate(requests, options);
    List<GenerationStats> runs = new ArrayList<>();
    for (int r = 0; r < s.repeats(); r++) runs.add(generator.generate(requests, options).stats());
    return new Result(s, median(runs.stream().mapToDouble(GenerationStats::prefillTokensPerSecond).toArray()),
        median(runs.stream().mapToDouble(GenerationStats::decodeTokensPerSecond).toArray()), runs);
  }

  /**
   * Where the decode steps' time goes: {@link KernelTimers} totals and call sites of the decode
   * steps of one more run (the timers switch on once every sequence has its first token, so the
   * prefill is left out). On an accelerator each timed primitive waits for the device: the profiled
   * steps are slower than the measured ones, and their time outside the primitives is the host's.
   */
  public record Profile(GenerationStats stats, Map<KernelTimers.Kernel, KernelTimers.Total> kernels, List<KernelTimers.Site> sites) {}

  public static Profile profile(CausalLM model, Settings s) {
    List<GenerationRequest> requests = requests(model, s);
    boolean timersWere = KernelTimers.enabled();
    int[] firstTokens = {0};
    GenerationListener startAfterPrefill = (sequence, token, text) -> {
      if (++firstTokens[0] == s.batch()) {
        KernelTimers.reset();
        KernelTimers.setEnabled(true);
      }
    };
    GenerationStats stats;
    try {
      stats = new Generator(model).generate(requests, options(s), startAfterPrefill).stats();
    } finally {
      KernelTimers.setEnabled(timersWere);
    }
    return new Profile(stats, KernelTimers.snapshot(), KernelTimers.sites());
  }

  /** {@code batch} distinct random prompts seeded by the settings, sampled with the settings' parameters (sequence b with seed b). */
  private static List<GenerationRequest> requests(CausalLM model, Settings s) {
    int vocab = model.config().vocabSize();
    if (s.promptTokens() + s.newTokens() > model.config().maxPositionEmbeddings())
      throw new IllegalArgumentException("prompt + new tokens exceed the model's max_position_embeddings (" + model.config().maxPositionEmbeddings() + ")");
    Rng rng = new Rng(s.seed());
    List<GenerationRequest> requests = new ArrayList<>();
    for (int b = 0; b < s.batch(); b++) {
      int[] p = new int[s.promptTokens()];
      for (int i = 0; i < p.length; i++) p[i] = rng.nextInt(vocab);
      requests.add(new GenerationRequest(p, s.sampling(), b));
    }
    return requests;
  }

  /** Every prompt in one prefill pass, the whole batch decoded together, eos disabled. */
  private static GenerationOptions options(Settings s) {
    return GenerationOptions.of(s.newTokens()).withMaxBatchSize(s.batch()).withMaxPrefillTokens(s.batch() * s.promptTokens());
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /**
   * Weight bytes one decode step of one sequence must read: every parameter except the embedding
   * table (of which it reads one row), which a tied model reads whole as its LM head. Divided into
   * the memory bandwidth, this bounds batch-1 decode speed from above.
   */
  public static long weightBytesPerToken(CausalLM model) {
    long bytes = 0;
    for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
      if (e.getKey().equals("model.embed_tokens.weight") && !model.config().tieWordEmbeddings()) continue;
      bytes += e.getValue().value().byteSize();
    }
    return bytes;
  }
}

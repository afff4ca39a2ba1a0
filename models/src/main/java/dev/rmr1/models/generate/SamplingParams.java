package dev.rmr1.models.generate;

/**
 * How the next token is chosen, with Hugging Face {@code generate} semantics: temperature 0 is
 * greedy (argmax); otherwise logits are divided by the temperature and filtered by top-k, top-p and
 * min-p, in that order (transformers' warper order), then one token is drawn.
 *
 * @param temperature 0 for greedy; RM-R1 rollouts use 1.0
 * @param topK 0 disables
 * @param topP 1.0 disables
 * @param minP 0 disables
 */
public record SamplingParams(double temperature, int topK, double topP, double minP) {
  public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1, 0);

  public SamplingParams {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
    if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
    if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min-p must be in [0, 1], got " + minP);
  }

  /** Plain sampling at a temperature (top-p 1, no top-k), as RM-R1's GRPO rollouts. */
  public static SamplingParams temperature(double t) {
    return new SamplingParams(t, 0, 1, 0);
  }

  /**
   * The sampling defaults of a model's generation_config.json: greedy unless {@code do_sample}
   * (transformers ignores temperature/top-k/top-p/min-p when it is false).
   */
  public static SamplingParams of(dev.rmr1.models.config.GenerationConfig c) {
    if (!c.doSample() || c.temperature() == 0) return GREEDY;
    return new SamplingParams(c.temperature(), c.topK(), c.topP(), c.minP().orElse(0));
  }

  public boolean greedy() {
    return temperature == 0;
  }
}

package dev.rmr1.models.generate;

import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.TopFilters;

/**
 * Chooses a token from one row of logits, the host's counterpart of {@link DeviceSampling}. Its
 * probability buffer is reused, so one Sampler per decoding thread. Randomness comes from the caller's {@link Rng}, one
 * per sequence, so a sequence's tokens do not depend on what else is in the batch.
 */
public final class Sampler {
  private double[] probs = new double[0];

  /** Index of the largest logit (the first one on ties), as greedy decoding and torch.argmax. */
  public static int argmax(float[] logits, int offset, int vocab) {
    int best = 0;
    float bv = logits[offset];
    for (int i = 1; i < vocab; i++) {
      float v = logits[offset + i];
      if (v > bv || (v != v && bv == bv)) {
        bv = v;
        best = i;
      }
    }
    return best;
  }

  public int sample(float[] logits, SamplingParams p, Rng rng) {
    return sample(logits, 0, logits.length, p, rng);
  }

  /**
   * Samples from logits[offset .. offset+vocab): softmax(logits / T) in double, the filters of
   * {@link TopFilters} (top-k, top-p, min-p), then the inverse-CDF pick in vocabulary order at one
   * uniform draw times the kept mass.
   */
  public int sample(float[] logits, int offset, int vocab, SamplingParams p, Rng rng) {
    if (vocab <= 0) throw new IllegalArgumentException("empty logits row");
    if (p.greedy()) return argmax(logits, offset, vocab);
    if (probs.length < vocab) probs = new double[vocab];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i] / p.temperature());
    if (Double.isNaN(max) || max == Double.NEGATIVE_INFINITY) throw new IllegalStateException("logits row has no finite maximum (NaN or all -inf)");
    double sum = 0;
    for (int i = 0; i < vocab; i++) sum += probs[i] = Math.exp(logits[offset + i] / p.temperature() - max);
    for (int i = 0; i < vocab; i++) probs[i] /= sum;
    double target = rng.nextDouble();
    if (filters(p, vocab)) {
      TopFilters.filterRow(probs, 0, vocab, p.topK(), p.topP(), p.minP());
      double kept = 0;
      for (int i = 0; i < vocab; i++) kept += probs[i];
      target *= kept; // the filtered distribution renormalised
    }
    return draw(vocab, target);
  }

  /** Whether top-k, top-p or min-p removes anything from a vocabulary of this size. */
  static boolean filters(SamplingParams p, int vocab) {
    return TopFilters.filters(p.topK(), p.topP(), p.minP(), vocab);
  }

  /** The first token whose cumulative probability exceeds target; the last possible token when rounding leaves the total at or below it. */
  private int draw(int vocab, double target) {
    double acc = 0;
    int last = 0;
    for (int i = 0; i < vocab; i++) {
      if (probs[i] > 0) last = i;
      acc += probs[i];
      if (target < acc) return i;
    }
    return last;
  }
}

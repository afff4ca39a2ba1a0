package dev.rmr1.models.generate;

import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.TopFilters;
import java.util.Arrays;

/**
 * Chooses a token from one row of logits. Pure and allocation-light: the candidate buffers are
 * reused, so one Sampler per decoding thread. Randomness comes from the caller's {@link Rng}, one
 * per sequence, so a sequence's tokens do not depend on what else is in the batch.
 */
public final class Sampler {
  /**
   * Tokens below this probability are left out of the sort when those above it decide every active
   * filter ({@link #decidable}): the exact answer without sorting a 150k vocabulary.
   */
  static final double FLOOR = 1e-7;

  private double[] probs = new double[0];
  private int[] candidateTokens = new int[0];
  private double[] candidateProbs = new double[0];
  private long[] keys = new long[0];

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

  /** Samples from logits[offset .. offset+vocab). */
  public int sample(float[] logits, int offset, int vocab, SamplingParams p, Rng rng) {
    if (vocab <= 0) throw new IllegalArgumentException("empty logits row");
    if (p.greedy()) return argmax(logits, offset, vocab);
    if (probs.length < vocab) probs = new double[vocab];
    // softmax(logits / T) in double
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i] / p.temperature());
    if (Double.isNaN(max) || max == Double.NEGATIVE_INFINITY) throw new IllegalStateException("logits row has no finite maximum (NaN or all -inf)");
    double sum = 0;
    for (int i = 0; i < vocab; i++) sum += probs[i] = Math.exp(logits[offset + i] / p.temperature() - max);
    for (int i = 0; i < vocab; i++) probs[i] /= sum;
    double u = rng.nextDouble();
    if (!filters(p, vocab)) return draw(vocab, u);

    // the tokens above the floor when they decide the filters, else all
    if (candidateTokens.length < vocab) {
      candidateTokens = new int[vocab];
      candidateProbs = new double[vocab];
    }
    int n = 0;
    double mass = 0, top = 0;
    for (int i = 0; i < vocab; i++)
      if (probs[i] >= FLOOR) {
        candidateTokens[n] = i;
        candidateProbs[n++] = probs[i];
        mass += probs[i];
        top = Math.max(top, probs[i]);
      }
    if (!decidable(n, mass, top, p)) {
      for (int i = 0; i < vocab; i++) {
        candidateTokens[i] = i;
        candidateProbs[i] = probs[i];
      }
      n = vocab;
    }
    return drawFiltered(candidateTokens, candidateProbs, n, p, u);
  }

  /** Whether top-k, top-p or min-p removes anything from a vocabulary of this size. */
  static boolean filters(SamplingParams p, int vocab) {
    return TopFilters.filters(p.topK(), p.topP(), p.minP(), vocab);
  }

  /**
   * Whether the n tokens of probability at least {@link #FLOOR} (total {@code mass}, largest
   * {@code top}) hold every token the filters of p can keep, so that filtering them alone is exact.
   */
  static boolean decidable(int n, double mass, double top, SamplingParams p) {
    return n > 0
        && (p.topK() == 0 || n >= p.topK())
        && (p.topP() >= 1 ? p.topK() > 0 || p.minP() > 0 : mass >= p.topP())
        && (p.minP() == 0 || p.minP() * top >= FLOOR);
  }

  /** The inverse-CDF draw over the whole distribution; the last possible token when rounding leaves the total at or below u. */
  private int draw(int vocab, double u) {
    double acc = 0;
    int last = 0;
    for (int i = 0; i < vocab; i++) {
      if (probs[i] > 0) last = i;
      acc += probs[i];
      if (u < acc) return i;
    }
    return last;
  }

  /**
   * The filtered draw with the uniform u in [0, 1): {@link TopFilters} over n candidate tokens
   * (ascending token ids, with their probabilities) that hold every token the filters can keep,
   * then the inverse-CDF pick among the kept ones in vocabulary order.
   */
  private int drawFiltered(int[] tokens, double[] probs, int n, SamplingParams p, double u) {
    if (keys.length < n) keys = new long[n];
    for (int k = 0; k < n; k++) keys[k] = TopFilters.key(probs[k], k);
    Arrays.sort(keys, 0, n);
    int keep = TopFilters.keep(keys, probs, n, p.topK(), p.topP(), p.minP());
    double kept = 0;
    for (int k = 0; k < keep; k++) kept += probs[TopFilters.position(keys[k])];
    double target = u * kept;
    // Draw in vocabulary order among the kept tokens, so the result matches an inverse-CDF draw
    // over the renormalised, filtered distribution.
    int[] chosen = new int[keep];
    for (int k = 0; k < keep; k++) chosen[k] = TopFilters.position(keys[k]);
    Arrays.sort(chosen);
    double acc = 0;
    for (int c : chosen) {
      acc += probs[c];
      if (target < acc) return tokens[c];
    }
    return tokens[chosen[keep - 1]];
  }
}

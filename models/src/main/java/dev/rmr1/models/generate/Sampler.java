package dev.rmr1.models.generate;

import dev.rmr1.tensor.Rng;
import java.util.Arrays;

/**
 * Chooses a token from one row of logits. Pure and allocation-light: the candidate buffers are
 * reused, so one Sampler per decoding thread. Randomness comes from the caller's {@link Rng}, one
 * per sequence, so a sequence's tokens do not depend on what else is in the batch.
 */
public final class Sampler {
  private double[] probs = new double[0];
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
    if (probs.length < vocab) {
      probs = new double[vocab];
      keys = new long[vocab];
    }
    // softmax(logits / T) in double
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i] / p.temperature());
    if (Double.isNaN(max) || max == Double.NEGATIVE_INFINITY) throw new IllegalStateException("logits row has no finite maximum (NaN or all -inf)");
    double sum = 0;
    for (int i = 0; i < vocab; i++) sum += probs[i] = Math.exp(logits[offset + i] / p.temperature() - max);
    for (int i = 0; i < vocab; i++) probs[i] /= sum;

    boolean filtered = p.topK() > 0 && p.topK() < vocab || p.topP() < 1 || p.minP() > 0;
    if (!filtered) return draw(vocab, rng);

    // Candidates in descending probability (ties: lower index first), only as many as needed.
    int n = sortedCandidates(vocab, p);
    int keep = n;
    if (p.topK() > 0) keep = Math.min(keep, p.topK());
    if (p.topP() < 1) {
      double mass = 0;
      int k = 0;
      while (k < keep) {
        mass += probs[index(keys[k])];
        k++;
        if (mass >= p.topP()) break;
      }
      keep = Math.max(1, k);
    }
    if (p.minP() > 0) {
      // min-p is relative to the most likely token, after top-k/top-p (transformers' MinPLogitsWarper)
      double cutoff = p.minP() * probs[index(keys[0])];
      int k = 1;
      while (k < keep && probs[index(keys[k])] >= cutoff) k++;
      keep = k;
    }
    double kept = 0;
    for (int k = 0; k < keep; k++) kept += probs[index(keys[k])];
    double u = rng.nextDouble() * kept;
    // Draw in vocabulary order among the kept tokens, so the result matches an inverse-CDF draw
    // over the renormalised, filtered distribution.
    int[] chosen = new int[keep];
    for (int k = 0; k < keep; k++) chosen[k] = index(keys[k]);
    Arrays.sort(chosen);
    double acc = 0;
    for (int c : chosen) {
      acc += probs[c];
      if (u < acc) return c;
    }
    return chosen[keep - 1];
  }

  private int draw(int vocab, Rng rng) {
    double u = rng.nextDouble();
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
   * Fills keys[0..n) with the most likely tokens in descending order. Only tokens above a small
   * probability floor are sorted when they already carry enough mass for top-p and top-k (the
   * exact answer, without sorting a 150k vocabulary); otherwise all tokens are sorted.
   */
  private int sortedCandidates(int vocab, SamplingParams p) {
    final double floor = 1e-7;
    int n = 0;
    double mass = 0, top = 0;
    for (int i = 0; i < vocab; i++)
      if (probs[i] >= floor) {
        keys[n++] = key(probs[i], i);
        mass += probs[i];
        top = Math.max(top, probs[i]);
      }
    // Every active filter must be decidable from the candidates alone.
    boolean enough = n > 0
        && (p.topK() == 0 || n >= p.topK())
        && (p.topP() >= 1 ? p.topK() > 0 || p.minP() > 0 : mass >= p.topP())
        && (p.minP() == 0 || p.minP() * top >= floor);
    if (!enough) {
      n = 0;
      for (int i = 0; i < vocab; i++) keys[n++] = key(probs[i], i);
    }
    Arrays.sort(keys, 0, n);
    return n;
  }

  /** Sort key: ascending order of the key is descending probability, then ascending index. */
  private static long key(double prob, int index) {
    // probabilities are in [0, 1]: their float bits order like the values; negate for descending.
    long bits = Float.floatToRawIntBits((float) prob);
    return ((0x7fffffffL - bits) << 32) | index;
  }

  private static int index(long key) {
    return (int) key;
  }
}

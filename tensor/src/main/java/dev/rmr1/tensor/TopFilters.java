package dev.rmr1.tensor;

import java.util.Arrays;

/**
 * Hugging Face's sampling filters (transformers' {@code TopKLogitsWarper}, {@code TopPLogitsWarper},
 * {@code MinPLogitsWarper}, applied in that order) over one row of probabilities, by the plain
 * definition: tokens ordered by descending probability rounded to float, ties by lower index, and
 * the kept tokens a prefix of that order. The reference for {@link TopFilter} (which finds the same
 * prefix without sorting) and the host sampler's filter.
 *
 * <ul>
 *   <li>top-k keeps the first k;
 *   <li>top-p keeps the shortest prefix of those whose probability, renormalised over what top-k
 *       kept (transformers' softmax of the filtered scores), reaches p; at least one token;
 *   <li>min-p keeps those of probability at least min-p times the first one's (a ratio, so the
 *       renormalisation does not change it), up to the first below it.
 * </ul>
 */
public final class TopFilters {
  private TopFilters() {}

  /** Whether the filters (topK 0: off, topP 1: off, minP 0: off) remove anything from a vocabulary of this size. */
  public static boolean filters(int topK, double topP, double minP, int vocab) {
    return topK > 0 && topK < vocab || topP < 1 || minP > 0;
  }

  /** Sort key of the token at {@code position}: ascending keys are descending float probabilities, then ascending positions. */
  public static long key(double prob, int position) {
    // probabilities are in [0, 1]: their float bits order like the values; negate for descending
    long bits = Float.floatToRawIntBits((float) prob);
    return ((0x7fffffffL - bits) << 32) | position;
  }

  /** The position a {@link #key} was made with. */
  public static int position(long key) {
    return (int) key;
  }

  /**
   * How many of the n tokens, in the order of {@code sortedKeys} (ascending {@link #key}s of positions
   * into {@code probs}), the filters keep. The keys must hold every token the filters can keep
   * (all of them, or a prefix of the order that does).
   */
  public static int keep(long[] sortedKeys, double[] probs, int n, int topK, double topP, double minP) {
    int keep = n;
    double total = 1; // the whole distribution's mass, unless top-k applies (n may be a prefix of the vocabulary)
    if (topK > 0 && topK <= n) {
      keep = topK;
      total = 0;
      for (int k = 0; k < keep; k++) total += probs[position(sortedKeys[k])];
    }
    if (topP < 1) {
      double mass = 0, target = topP * total;
      int k = 0;
      while (k < keep) {
        mass += probs[position(sortedKeys[k])];
        k++;
        if (mass >= target) break;
      }
      keep = Math.max(1, k);
    }
    if (minP > 0) {
      double cutoff = minP * probs[position(sortedKeys[0])];
      int k = 1;
      while (k < keep && probs[position(sortedKeys[k])] >= cutoff) k++;
      keep = k;
    }
    return keep;
  }

  /**
   * Rows of probs (rows x vocab, row-major) with the filtered-out tokens set to 0, each row with its
   * own parameters (topK[i] 0, topP[i] 1 and minP[i] 0 leave row i as it is).
   */
  public static double[] filterRows(double[] probs, int rows, int vocab, int[] topK, double[] topP, double[] minP) {
    double[] out = probs.clone();
    long[] keys = new long[vocab];
    double[] row = new double[vocab];
    for (int r = 0; r < rows; r++) {
      if (!filters(topK[r], topP[r], minP[r], vocab)) continue;
      System.arraycopy(probs, r * vocab, row, 0, vocab);
      for (int i = 0; i < vocab; i++) keys[i] = key(row[i], i);
      Arrays.sort(keys);
      int keep = keep(keys, row, vocab, topK[r], topP[r], minP[r]);
      for (int k = keep; k < vocab; k++) out[r * vocab + position(keys[k])] = 0;
    }
    return out;
  }
}

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
  private static long key(double prob, int position) {
    // probabilities are in [0, 1]: their float bits order like the values; negate for descending
    long bits = Float.floatToRawIntBits((float) prob);
    return ((0x7fffffffL - bits) << 32) | position;
  }

  /** The position a {@link #key} was made with. */
  private static int position(long key) {
    return (int) key;
  }

  /**
   * Tokens below this probability are left out of the sort when those above it decide every active
   * filter ({@link #decidable}): the exact answer without sorting a 150k vocabulary.
   */
  static final double FLOOR = 1e-7;

  /**
   * Whether the n tokens of probability at least {@link #FLOOR} (total {@code mass}, largest
   * {@code top}) hold every token the filters can keep.
   */
  static boolean decidable(int n, double mass, double top, int topK, double topP, double minP) {
    return n > 0
        && (topK == 0 || n >= topK)
        && (topP >= 1 ? topK > 0 || minP > 0 : mass >= topP)
        && (minP == 0 || minP * top >= FLOOR);
  }

  /**
   * How many of the n tokens, in the order of {@code sortedKeys} (ascending {@link #key}s of positions
   * relative to {@code offset} in {@code probs}), the filters keep. The keys must hold every token
   * the filters can keep (all of them, or a prefix of the order that does).
   */
  static int keep(long[] sortedKeys, double[] probs, int offset, int n, int topK, double topP, double minP) {
    int keep = n;
    double total = 1; // the whole distribution's mass, unless top-k applies (n may be a prefix of the vocabulary)
    if (topK > 0 && topK <= n) {
      keep = topK;
      total = 0;
      for (int k = 0; k < keep; k++) total += probs[offset + position(sortedKeys[k])];
    }
    if (topP < 1) {
      double mass = 0, target = topP * total;
      int k = 0;
      while (k < keep) {
        mass += probs[offset + position(sortedKeys[k])];
        k++;
        if (mass >= target) break;
      }
      keep = Math.max(1, k);
    }
    if (minP > 0) {
      double cutoff = minP * probs[offset + position(sortedKeys[0])];
      int k = 1;
      while (k < keep && probs[offset + position(sortedKeys[k])] >= cutoff) k++;
      keep = k;
    }
    return keep;
  }

  /**
   * In place: probs[offset .. offset + vocab) (one row of probabilities) with the tokens the filters
   * remove set to 0 (topK 0, topP 1 and minP 0 leave it as it is). Sorts only the tokens above
   * {@link #FLOOR} when they decide the filters, else the whole row.
   */
  public static void filterRow(double[] probs, int offset, int vocab, int topK, double topP, double minP) {
    if (!filters(topK, topP, minP, vocab)) return;
    int n = 0;
    double mass = 0, top = 0;
    for (int i = 0; i < vocab; i++) {
      double p = probs[offset + i];
      if (p >= FLOOR) {
        n++;
        mass += p;
        top = Math.max(top, p);
      }
    }
    boolean few = decidable(n, mass, top, topK, topP, minP);
    long[] keys = new long[few ? n : vocab];
    int k = 0;
    for (int i = 0; i < vocab; i++)
      if (!few || probs[offset + i] >= FLOOR) keys[k++] = key(probs[offset + i], i);
    Arrays.sort(keys);
    int keep = keep(keys, probs, offset, keys.length, topK, topP, minP);
    double[] kept = new double[keep];
    for (int j = 0; j < keep; j++) kept[j] = probs[offset + position(keys[j])];
    Arrays.fill(probs, offset, offset + vocab, 0);
    for (int j = 0; j < keep; j++) probs[offset + position(keys[j])] = kept[j];
  }

  /** {@link #filterRow} on a copy of rows x vocab probabilities (row-major), each row with its own parameters. */
  public static double[] filterRows(double[] probs, int rows, int vocab, int[] topK, double[] topP, double[] minP) {
    double[] out = probs.clone();
    for (int r = 0; r < rows; r++) filterRow(out, r * vocab, vocab, topK[r], topP[r], minP[r]);
    return out;
  }
}

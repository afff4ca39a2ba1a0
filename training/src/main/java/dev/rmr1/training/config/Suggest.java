package dev.rmr1.training.config;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" for unknown keys and flags: the closest known name by edit distance. */
public final class Suggest {
  private Suggest() {}

  /**
   * The known name closest to {@code unknown}, if one is close enough to be a plausible typo:
   * a dotted key with the same last part in another section ({@code optim.kl_beta} for
   * {@code grpo.kl_beta}), or a name within a few edits (transpositions count as one), or a key
   * whose last part is within a few edits of the unknown one's last part.
   */
  public static Optional<String> closest(String unknown, Collection<String> known) {
    String leaf = leaf(unknown);
    String best = null;
    double bestScore = Double.MAX_VALUE;
    for (String k : known) {
      double score;
      if (leaf(k).equals(leaf)) score = 0.5;
      else {
        int full = distance(unknown, k);
        int leafDist = distance(leaf, leaf(k));
        if (full <= allowed(unknown)) score = full;
        else if (leafDist <= allowed(leaf)) score = leafDist + 1;
        else continue;
      }
      if (score < bestScore) {
        bestScore = score;
        best = k;
      }
    }
    return Optional.ofNullable(best);
  }

  /** {@code " (did you mean 'x'?)"} or the empty string. */
  public static String didYouMean(String unknown, Collection<String> known) {
    return closest(unknown, known).map(s -> " (did you mean '" + s + "'?)").orElse("");
  }

  private static int allowed(String s) {
    return Math.max(1, Math.min(3, s.length() / 3));
  }

  private static String leaf(String key) {
    return key.substring(key.lastIndexOf('.') + 1);
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
  static int distance(String a, String b) {
    int n = a.length(), m = b.length();
    int[][] d = new int[n + 1][m + 1];
    for (int i = 0; i <= n; i++) d[i][0] = i;
    for (int j = 0; j <= m; j++) d[0][j] = j;
    for (int i = 1; i <= n; i++) {
      for (int j = 1; j <= m; j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) v = Math.min(v, d[i - 2][j - 2] + 1);
        d[i][j] = v;
      }
    }
    return d[n][m];
  }
}

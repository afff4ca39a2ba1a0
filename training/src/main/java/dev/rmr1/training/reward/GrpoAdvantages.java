package dev.rmr1.training.reward;

import java.util.HashMap;
import java.util.Map;

/**
 * GRPO outcome advantages as verl computes them ({@code core_algos.compute_grpo_outcome_advantage}, spec 6):
 * {@code A_i = (r_i - mean_g) / (std_g + 1e-6)} with the unbiased standard deviation (divide by G-1) of the
 * response's group g; a group of one uses mean 0 and std 1; an all-equal group gets 0. Dr.GRPO drops the std:
 * {@code A_i = r_i - mean_g}. The per-token advantage is {@code A_i * mask_{i,t}} (applied by the trainer).
 */
public final class GrpoAdvantages {
  /** verl's epsilon. */
  public static final double EPS = 1e-6;

  private GrpoAdvantages() {}

  /**
   * @param rewards one reward per response, shape (N)
   * @param groupIds the prompt (group) of each response, shape (N); groups need not be contiguous
   * @param normalizeByStd false for Dr.GRPO ({@code A = r - mean})
   * @return advantages, shape (N)
   */
  public static double[] compute(double[] rewards, int[] groupIds, boolean normalizeByStd) {
    if (rewards.length != groupIds.length) {
      throw new IllegalArgumentException(
          "rewards has " + rewards.length + " entries but groupIds has " + groupIds.length);
    }
    Map<Integer, double[]> stats = new HashMap<>(); // group -> {count, sum}, then {mean, std}
    for (int i = 0; i < rewards.length; i++) {
      if (!Double.isFinite(rewards[i])) throw new IllegalArgumentException("reward " + i + " is " + rewards[i]);
      double[] s = stats.computeIfAbsent(groupIds[i], k -> new double[3]);
      s[0]++;
      s[1] += rewards[i];
    }
    for (double[] s : stats.values()) s[1] /= s[0];
    for (int i = 0; i < rewards.length; i++) {
      double[] s = stats.get(groupIds[i]);
      double d = rewards[i] - s[1];
      s[2] += d * d;
    }
    double[] adv = new double[rewards.length];
    for (int i = 0; i < rewards.length; i++) {
      double[] s = stats.get(groupIds[i]);
      double mean;
      double std;
      if (s[0] == 1) {
        mean = 0;
        std = 1;
      } else {
        mean = s[1];
        std = Math.sqrt(s[2] / (s[0] - 1));
      }
      adv[i] = normalizeByStd ? (rewards[i] - mean) / (std + EPS) : rewards[i] - mean;
    }
    return adv;
  }

  /** Groups of {@code groupSize} consecutive responses (the rollout layout: G samples per prompt). */
  public static double[] computeContiguous(double[] rewards, int groupSize, boolean normalizeByStd) {
    return compute(rewards, contiguousGroups(rewards.length, groupSize), normalizeByStd);
  }

  /** Group ids {@code 0,..,0,1,..,1,...} for {@code n} responses in groups of {@code groupSize}. */
  public static int[] contiguousGroups(int n, int groupSize) {
    if (groupSize <= 0 || n % groupSize != 0) {
      throw new IllegalArgumentException(n + " responses do not split into groups of " + groupSize);
    }
    int[] g = new int[n];
    for (int i = 0; i < n; i++) g[i] = i / groupSize;
    return g;
  }
}

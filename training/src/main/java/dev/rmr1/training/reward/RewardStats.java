package dev.rmr1.training.reward;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-step reward metrics of spec 11: {@code reward/mean}, {@code reward/std} (over all responses, unbiased),
 * min/max, the mean within-group std (TRL's {@code reward_std}) and {@code frac_reward_zero_std}: the fraction of
 * groups whose rewards are all equal, which get zero advantage and so no policy-gradient signal.
 */
public record RewardStats(
    double mean, double std, double min, double max, double meanGroupStd, double fracZeroStdGroups, int groups) {

  public static RewardStats of(double[] rewards, int[] groupIds) {
    if (rewards.length == 0) throw new IllegalArgumentException("no rewards");
    if (rewards.length != groupIds.length) {
      throw new IllegalArgumentException(
          "rewards has " + rewards.length + " entries but groupIds has " + groupIds.length);
    }
    Map<Integer, double[]> byGroup = new HashMap<>(); // count, sum, min, max
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < rewards.length; i++) {
      double r = rewards[i];
      sum += r;
      min = Math.min(min, r);
      max = Math.max(max, r);
      double[] g = byGroup.computeIfAbsent(groupIds[i], k -> new double[] {0, 0, Double.POSITIVE_INFINITY,
          Double.NEGATIVE_INFINITY});
      g[0]++;
      g[1] += r;
      g[2] = Math.min(g[2], r);
      g[3] = Math.max(g[3], r);
    }
    double mean = sum / rewards.length;
    double ss = 0;
    for (double r : rewards) ss += (r - mean) * (r - mean);
    double std = rewards.length > 1 ? Math.sqrt(ss / (rewards.length - 1)) : 0;
    Map<Integer, Double> groupSs = new HashMap<>();
    for (int i = 0; i < rewards.length; i++) {
      double[] g = byGroup.get(groupIds[i]);
      double d = rewards[i] - g[1] / g[0];
      groupSs.merge(groupIds[i], d * d, Double::sum);
    }
    double stdSum = 0;
    int zero = 0;
    for (var e : byGroup.entrySet()) {
      double[] g = e.getValue();
      if (g[2] == g[3]) zero++;
      stdSum += g[0] > 1 ? Math.sqrt(groupSs.get(e.getKey()) / (g[0] - 1)) : 0;
    }
    int n = byGroup.size();
    return new RewardStats(mean, std, min, max, stdSum / n, (double) zero / n, n);
  }
}

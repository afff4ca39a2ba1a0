package dev.rmr1.training.grpo;

import java.util.List;

/**
 * Response-length metrics of a rollout batch (spec 11): {@code completions/{mean,min,max}_length},
 * {@code completions/clipped_ratio} (the fraction that hit the length limit without an eos) and
 * {@code completions/mean_terminated_length} (NaN when none terminated).
 */
public record CompletionStats(double meanLength, int minLength, int maxLength, double clippedRatio, double meanTerminatedLength,
    long tokens) {

  public static CompletionStats of(List<Completion> completions) {
    if (completions.isEmpty()) throw new IllegalArgumentException("no completions");
    long sum = 0, termSum = 0;
    int min = Integer.MAX_VALUE, max = 0, clipped = 0, terminated = 0;
    for (Completion c : completions) {
      int n = c.length();
      sum += n;
      min = Math.min(min, n);
      max = Math.max(max, n);
      if (c.terminated()) {
        terminated++;
        termSum += n;
      } else {
        clipped++;
      }
    }
    int total = completions.size();
    return new CompletionStats((double) sum / total, min, max, (double) clipped / total,
        terminated == 0 ? Double.NaN : (double) termSum / terminated, sum);
  }
}

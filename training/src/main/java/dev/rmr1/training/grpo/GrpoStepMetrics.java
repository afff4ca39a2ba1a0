package dev.rmr1.training.grpo;

import dev.rmr1.training.reward.RewardStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one GRPO step (rollouts of a prompt batch plus its optimizer updates) did, with the metrics of spec 11.
 *
 * @param step the 1-based step number
 * @param accuracy the fraction of responses with a positive reward (the verdict accuracy under the RM-R1 rule)
 * @param gradNorm the pre-clip global gradient norm, mean over the step's updates
 * @param lr the learning rate of the step's updates
 * @param rolloutTokens generated (masked) response tokens
 * @param updateTokens prompt + response tokens through each update's forward and backward
 * @param samples the first rows of the batch, for the sample log
 */
public record GrpoStepMetrics(long step, int epoch, RewardStats reward, double accuracy, CompletionStats completions, double loss,
    double pgLoss, double pgClipfrac, double ppoKl, double klLoss, double klCoef, double entropy, double gradNorm, double lr, int updates,
    double generateSeconds, double oldLogProbSeconds, double refLogProbSeconds, double updateSeconds, long rolloutTokens, long updateTokens,
    List<Sample> samples) {

  /** One logged rollout row. */
  public record Sample(String prompt, String completion, double reward, double advantage) {}

  public GrpoStepMetrics {
    samples = List.copyOf(samples);
  }

  public double seconds() {
    return generateSeconds + oldLogProbSeconds + refLogProbSeconds + updateSeconds;
  }

  /** Generated tokens per second of generation. */
  public double rolloutTokensPerSecond() {
    return generateSeconds > 0 ? rolloutTokens / generateSeconds : Double.NaN;
  }

  /** Tokens through forward and backward per second of the updates. */
  public double updateTokensPerSecond() {
    return updateSeconds > 0 ? updateTokens / updateSeconds : Double.NaN;
  }

  /** The metrics by their spec-11 names (verl's where it has one). */
  public Map<String, Double> values() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("reward/mean", reward.mean());
    m.put("reward/std", reward.std());
    m.put("reward/accuracy", accuracy);
    m.put("frac_reward_zero_std", reward.fracZeroStdGroups());
    m.put("completions/mean_length", completions.meanLength());
    m.put("completions/min_length", (double) completions.minLength());
    m.put("completions/max_length", (double) completions.maxLength());
    m.put("completions/clipped_ratio", completions.clippedRatio());
    m.put("completions/mean_terminated_length", completions.meanTerminatedLength());
    m.put("actor/loss", loss);
    m.put("actor/pg_loss", pgLoss);
    m.put("actor/pg_clipfrac", pgClipfrac);
    m.put("actor/ppo_kl", ppoKl);
    m.put("actor/kl_loss", klLoss);
    m.put("actor/kl_coef", klCoef);
    m.put("actor/entropy", entropy);
    m.put("actor/grad_norm", gradNorm);
    m.put("actor/lr", lr);
    m.put("timing/generate_s", generateSeconds);
    m.put("timing/old_logp_s", oldLogProbSeconds);
    m.put("timing/ref_logp_s", refLogProbSeconds);
    m.put("timing/update_s", updateSeconds);
    m.put("timing/step_s", seconds());
    m.put("throughput/rollout_tokens_per_s", rolloutTokensPerSecond());
    m.put("throughput/update_tokens_per_s", updateTokensPerSecond());
    m.put("throughput/tokens_per_s", seconds() > 0 ? (rolloutTokens + updateTokens) / seconds() : Double.NaN);
    return m;
  }
}

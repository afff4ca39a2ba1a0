package dev.rmr1.training.grpo;

import dev.rmr1.training.metrics.MetricNames;
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

  /** The metrics by their spec-11 names ({@link MetricNames}; verl's where it has one). */
  public Map<String, Double> values() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(MetricNames.REWARD_MEAN, reward.mean());
    m.put(MetricNames.REWARD_STD, reward.std());
    m.put(MetricNames.REWARD_ACCURACY, accuracy);
    m.put(MetricNames.FRAC_REWARD_ZERO_STD, reward.fracZeroStdGroups());
    m.put(MetricNames.MEAN_LENGTH, completions.meanLength());
    m.put(MetricNames.MIN_LENGTH, (double) completions.minLength());
    m.put(MetricNames.MAX_LENGTH, (double) completions.maxLength());
    m.put(MetricNames.CLIPPED_RATIO, completions.clippedRatio());
    m.put(MetricNames.MEAN_TERMINATED_LENGTH, completions.meanTerminatedLength());
    m.put("actor/loss", loss);
    m.put(MetricNames.PG_LOSS, pgLoss);
    m.put(MetricNames.PG_CLIPFRAC, pgClipfrac);
    m.put(MetricNames.PPO_KL, ppoKl);
    m.put(MetricNames.KL_LOSS, klLoss);
    m.put(MetricNames.KL_COEF, klCoef);
    m.put(MetricNames.ENTROPY, entropy);
    m.put(MetricNames.ACTOR_GRAD_NORM, gradNorm);
    m.put(MetricNames.ACTOR_LR, lr);
    m.put(MetricNames.GENERATE_TIME, generateSeconds);
    m.put(MetricNames.OLD_LOGP_TIME, oldLogProbSeconds);
    m.put(MetricNames.REF_LOGP_TIME, refLogProbSeconds);
    m.put(MetricNames.UPDATE_TIME, updateSeconds);
    m.put(MetricNames.STEP_TIME, seconds());
    m.put(MetricNames.TOKENS_PER_S, seconds() > 0 ? (rolloutTokens + updateTokens) / seconds() : Double.NaN);
    m.put("perf/rollout_tokens_per_s", rolloutTokensPerSecond());
    m.put("perf/update_tokens_per_s", updateTokensPerSecond());
    return m;
  }
}

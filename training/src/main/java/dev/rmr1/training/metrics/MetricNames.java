package dev.rmr1.training.metrics;

/**
 * Metric names of the logs and plots (spec section 11), so trainers, plots and tools agree.
 * GRPO names follow verl and TRL ({@code actor/pg_loss}, {@code completions/mean_length}).
 */
public final class MetricNames {
  private MetricNames() {}

  // SFT
  public static final String TRAIN_LOSS = "train/loss";
  public static final String LR = "lr";
  /** Global L2 norm of the gradient before clipping. */
  public static final String GRAD_NORM = "grad_norm";
  public static final String LOSS_TOKENS = "train/loss_tokens";
  public static final String DROPPED = "data/dropped";
  public static final String TRUNCATED = "data/truncated";

  // GRPO: rewards
  public static final String REWARD_MEAN = "reward/mean";
  public static final String REWARD_STD = "reward/std";
  /** Fraction of responses with the correct verdict ((mean + 1) / 2 for the +1/-1 reward). */
  public static final String REWARD_ACCURACY = "reward/accuracy";
  /** Fraction of groups whose rewards are all equal (advantage 0, no signal). */
  public static final String FRAC_REWARD_ZERO_STD = "frac_reward_zero_std";

  // GRPO: completions
  public static final String MEAN_LENGTH = "completions/mean_length";
  public static final String MIN_LENGTH = "completions/min_length";
  public static final String MAX_LENGTH = "completions/max_length";
  /** Fraction of responses cut at max_new_tokens. */
  public static final String CLIPPED_RATIO = "completions/clipped_ratio";
  public static final String MEAN_TERMINATED_LENGTH = "completions/mean_terminated_length";

  // GRPO: actor
  public static final String PG_LOSS = "actor/pg_loss";
  public static final String PG_CLIPFRAC = "actor/pg_clipfrac";
  /** Masked mean of {@code logp_old - logp}. */
  public static final String PPO_KL = "actor/ppo_kl";
  public static final String KL_LOSS = "actor/kl_loss";
  public static final String KL_COEF = "actor/kl_coef";
  public static final String ENTROPY = "actor/entropy";
  public static final String ACTOR_GRAD_NORM = "actor/grad_norm";
  public static final String ACTOR_LR = "actor/lr";

  // Throughput and time split
  public static final String TOKENS_PER_S = "perf/tokens_per_s";
  public static final String STEP_TIME = "timing/step_s";
  public static final String GENERATE_TIME = "timing/generate_s";
  public static final String OLD_LOGP_TIME = "timing/old_logp_s";
  public static final String REF_LOGP_TIME = "timing/ref_logp_s";
  public static final String UPDATE_TIME = "timing/update_s";
}

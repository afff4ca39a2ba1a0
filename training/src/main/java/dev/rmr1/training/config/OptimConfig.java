package dev.rmr1.training.config;

/** AdamW, its learning-rate schedule and gradient clipping (section {@code optim}). */
public record OptimConfig(
    @Doc("peak learning rate") double lr,
    @Doc("AdamW beta1") double beta1,
    @Doc("AdamW beta2") double beta2,
    @Doc("AdamW epsilon") double eps,
    @Doc("decoupled weight decay") double weightDecay,
    @Doc("clip the global L2 gradient norm to this (0: no clipping)") double gradClip,
    @Doc("schedule after warmup") LrScheduleKind schedule,
    @Doc("warmup steps as a fraction of all steps, rounded up") double warmupRatio,
    @Doc("cosine floor as a fraction of lr") double minLrRatio)
    implements Validated {

  /**
   * RM-R1's SFT (spec section 5): lr 5e-6, betas (0.9, 0.95), eps 1e-8, no weight decay, clip 1.0,
   * cosine with 3% warmup down to 0.1 lr.
   */
  public static OptimConfig sftDefaults() {
    return new OptimConfig(5e-6, 0.9, 0.95, 1e-8, 0.0, 1.0, LrScheduleKind.COSINE, 0.03, 0.1);
  }

  /**
   * RM-R1's GRPO (spec section 6): lr 1e-6, betas (0.9, 0.999), eps 1e-8, weight decay 0.01,
   * clip 1.0, constant learning rate without warmup.
   */
  public static OptimConfig grpoDefaults() {
    return new OptimConfig(1e-6, 0.9, 0.999, 1e-8, 0.01, 1.0, LrScheduleKind.CONSTANT, 0.0, 0.0);
  }

  @Override
  public void validate(Problems p) {
    p.check(lr > 0, "lr", "must be > 0");
    p.check(beta1 >= 0 && beta1 < 1, "beta1", "must be in [0, 1)");
    p.check(beta2 >= 0 && beta2 < 1, "beta2", "must be in [0, 1)");
    p.check(eps > 0, "eps", "must be > 0");
    p.check(weightDecay >= 0, "weight_decay", "must be >= 0");
    p.check(gradClip >= 0, "grad_clip", "must be >= 0 (0 turns clipping off)");
    p.check(warmupRatio >= 0 && warmupRatio <= 1, "warmup_ratio", "must be in [0, 1]");
    p.check(minLrRatio >= 0 && minLrRatio <= 1, "min_lr_ratio", "must be in [0, 1]");
  }
}

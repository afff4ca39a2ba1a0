package dev.rmr1.training.sft;

import dev.rmr1.nn.optim.AdamW;
import dev.rmr1.nn.optim.LrSchedule;
import dev.rmr1.nn.optim.OptimParam;
import dev.rmr1.nn.optim.ParamGroup;
import dev.rmr1.nn.optim.ParamGroups;
import dev.rmr1.training.config.OptimConfig;
import java.util.List;

/** AdamW and its learning-rate schedule from an {@link OptimConfig}. */
public final class OptimizerSetup {
  private OptimizerSetup() {}

  /**
   * The schedule over {@code totalSteps} optimizer steps: {@code W = ceil(warmup_ratio * S)} warmup steps, then
   * constant, linear decay to 0, or half-cosine decay to {@code min_lr_ratio * lr} (spec 5: RM-R1's SFT schedule is
   * cosine with ratio 0.03 and floor 0.1).
   */
  public static LrSchedule schedule(OptimConfig c, long totalSteps) {
    long warmup = (long) Math.ceil(totalSteps * c.warmupRatio());
    return switch (c.schedule()) {
      case CONSTANT -> warmup == 0 ? new LrSchedule.Constant() : new LrSchedule.ConstantWithWarmup(warmup);
      case LINEAR -> new LrSchedule.LinearWithWarmup(warmup, totalSteps);
      case COSINE -> new LrSchedule.CosineWithWarmup(warmup, totalSteps, 0.5, c.minLrRatio());
    };
  }

  /**
   * AdamW over {@code params} with the configured betas, eps and schedule. With {@code excludeNormsAndBiases} the
   * weight decay skips biases and norm weights (OpenRLHF's SFT grouping); otherwise every parameter decays (verl's
   * actor optimizer).
   */
  public static AdamW adamW(OptimConfig c, List<OptimParam> params, long totalSteps, boolean excludeNormsAndBiases) {
    List<ParamGroup> groups = excludeNormsAndBiases ? ParamGroups.decayAndNoDecay(params, c.lr(), c.weightDecay())
        : List.of(new ParamGroup("all", params, c.lr(), c.weightDecay()));
    AdamW opt = new AdamW(groups, c.beta1(), c.beta2(), c.eps());
    opt.setSchedule(schedule(c, totalSteps));
    return opt;
  }
}

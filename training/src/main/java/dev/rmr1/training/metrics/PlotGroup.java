package dev.rmr1.training.metrics;

import static dev.rmr1.training.metrics.MetricNames.*;

import java.util.List;

/**
 * One chart: metrics that share an axis, drawn against the step into {@code <name>.png}.
 *
 * @param name file name without extension, e.g. {@code loss}
 * @param title chart title
 * @param yLabel y axis title
 * @param metrics metric names; a chart is drawn when at least one has a finite value
 */
public record PlotGroup(String name, String title, String yLabel, List<String> metrics) {
  public PlotGroup {
    if (!name.matches("[A-Za-z0-9_.-]+")) throw new IllegalArgumentException("plot name '" + name + "' is not a plain file name");
    if (metrics.isEmpty()) throw new IllegalArgumentException("plot " + name + " has no metrics");
    metrics = List.copyOf(metrics);
  }

  /** The charts of both trainers (spec section 11); each appears once its metrics are logged. */
  public static List<PlotGroup> defaults() {
    return List.of(
        new PlotGroup("loss", "Loss", "loss", List.of(TRAIN_LOSS, PG_LOSS)),
        new PlotGroup("reward", "Reward", "reward", List.of(REWARD_MEAN, REWARD_STD)),
        new PlotGroup("accuracy", "Accuracy", "fraction", List.of(REWARD_ACCURACY, FRAC_REWARD_ZERO_STD)),
        new PlotGroup("kl", "KL to reference / old policy", "nats per token", List.of(KL_LOSS, PPO_KL)),
        new PlotGroup("clipfrac", "Clipped fraction", "fraction", List.of(PG_CLIPFRAC, CLIPPED_RATIO)),
        new PlotGroup("entropy", "Entropy", "nats per token", List.of(ENTROPY)),
        new PlotGroup("length", "Response length", "tokens", List.of(MEAN_LENGTH, MIN_LENGTH, MAX_LENGTH, MEAN_TERMINATED_LENGTH)),
        new PlotGroup("lr", "Learning rate", "lr", List.of(LR, ACTOR_LR)),
        new PlotGroup("grad_norm", "Gradient norm (before clipping)", "L2 norm", List.of(GRAD_NORM, ACTOR_GRAD_NORM)),
        new PlotGroup("throughput", "Throughput", "tokens / s", List.of(TOKENS_PER_S)),
        new PlotGroup("timing", "Step time", "seconds", List.of(STEP_TIME, GENERATE_TIME, OLD_LOGP_TIME, REF_LOGP_TIME, UPDATE_TIME)));
  }
}

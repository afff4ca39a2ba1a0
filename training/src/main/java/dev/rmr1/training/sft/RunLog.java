package dev.rmr1.training.sft;

import dev.rmr1.training.checkpoint.CheckpointManager;
import dev.rmr1.training.checkpoint.LoadedCheckpoint;
import dev.rmr1.training.checkpoint.TrainerState;
import dev.rmr1.training.config.EffectiveConfig;
import dev.rmr1.training.config.RunConfig;
import dev.rmr1.training.metrics.MetricsLogger;
import dev.rmr1.training.metrics.ProgressBar;
import dev.rmr1.training.metrics.SampleRow;
import dev.rmr1.training.metrics.SamplesLogger;
import dev.rmr1.training.metrics.TrainingPlots;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outputs of a training run under {@code run.out} and their cadence (section {@code run} of the configuration):
 * {@code config.yaml}, {@code metrics.jsonl} (every {@code log_every} steps), {@code samples.jsonl}, PNG plots in
 * {@code plots/} (every {@code plot_every} steps and at the end), checkpoints (every {@code save_every} steps and at
 * the end, the last {@code keep_last} kept) and the console progress bar. On resume the logs are cut back to the
 * checkpoint's step and appended to.
 */
public final class RunLog implements AutoCloseable {
  /** Metric records carried in each checkpoint's trainer state. */
  static final int METRICS_TAIL = 100;

  private final RunConfig run;
  private final EffectiveConfig<?> config;
  private final CheckpointManager checkpoints;
  private final MetricsLogger metrics;
  private final SamplesLogger samples;
  private final TrainingPlots plots;
  private final ProgressBar progress;
  private final long totalSteps;

  private RunLog(RunConfig run, EffectiveConfig<?> config, CheckpointManager checkpoints, MetricsLogger metrics, SamplesLogger samples,
      ProgressBar progress, long totalSteps) {
    this.run = run;
    this.config = config;
    this.checkpoints = checkpoints;
    this.metrics = metrics;
    this.samples = samples;
    this.plots = new TrainingPlots(run.out().resolve("plots"));
    this.progress = progress;
    this.totalSteps = totalSteps;
  }

  /** The newest complete checkpoint of {@code run.out} when {@code run.resume} is set, checked against the configuration. */
  public static Optional<LoadedCheckpoint> findResume(RunConfig run, EffectiveConfig<?> config, PrintStream console) {
    if (!run.resume()) return Optional.empty();
    Optional<LoadedCheckpoint> c = new CheckpointManager(run.out(), run.keepLast(), console::println).latest();
    c.ifPresent(l -> l.verifyConfig(config, run.onConfigMismatch(), console::println));
    return c;
  }

  /**
   * Opens the logs of a run that starts at {@code startStep} (0, or the step of the checkpoint it resumed from) and
   * writes {@code config.yaml}.
   */
  public static RunLog open(RunConfig run, EffectiveConfig<?> config, String label, long startStep, long totalSteps, PrintStream console) {
    Path out = run.out();
    try {
      Files.createDirectories(out);
      Files.writeString(out.resolve("config.yaml"), config.toYaml(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out.resolve("config.yaml"), e);
    }
    int start = Math.toIntExact(startStep);
    MetricsLogger m = start > 0 ? MetricsLogger.resume(out.resolve("metrics.jsonl"), start) : MetricsLogger.create(out.resolve("metrics.jsonl"));
    SamplesLogger s = start > 0 ? SamplesLogger.resume(out.resolve("samples.jsonl"), start) : SamplesLogger.create(out.resolve("samples.jsonl"));
    ProgressBar bar = ProgressBar.console(label, totalSteps, startStep, run.progress());
    return new RunLog(run, config, new CheckpointManager(out, run.keepLast(), console::println), m, s, bar, totalSteps);
  }

  public CheckpointManager checkpoints() {
    return checkpoints;
  }

  /** Records the metrics of {@code step} (written every {@code log_every} steps and at the last) and moves the bar. */
  public void step(long step, Map<String, Double> values, Map<String, Double> shown) {
    if (step % run.logEvery() == 0 || step == totalSteps) metrics.log(Math.toIntExact(step), values);
    if (run.plotEvery() > 0 && step % run.plotEvery() == 0) plots.write(metrics.history());
    progress.update(step, shown);
  }

  public boolean sampleDue(long step) {
    return run.sampleEvery() > 0 && run.numSamples() > 0 && step % run.sampleEvery() == 0;
  }

  public boolean saveDue(long step) {
    return step == totalSteps || (run.saveEvery() > 0 && step % run.saveEvery() == 0);
  }

  public void samples(long step, List<SampleRow> rows) {
    samples.log(Math.toIntExact(step), rows);
  }

  /** {@code state} with the metrics tail and the configuration, ready to save. */
  public TrainerState complete(TrainerState state) {
    return state.withMetricsTail(metrics.tail(METRICS_TAIL)).withConfig(config);
  }

  /** A line above the progress bar. */
  public void message(String text) {
    progress.message(text);
  }

  /** Draws the final plots and ends the progress display. */
  public void finish() {
    plots.write(metrics.history());
    progress.finish();
  }

  /** Shown-on-the-bar values: the given keys of {@code values}, in order, when present. */
  public static Map<String, Double> pick(Map<String, Double> values, String... keys) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String k : keys) if (values.containsKey(k)) m.put(k, values.get(k));
    return m;
  }

  @Override
  public void close() {
    progress.finish();
    metrics.close();
    samples.close();
  }
}

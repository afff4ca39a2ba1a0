/**
 * Training feedback: the per-step {@link dev.rmr1.training.metrics.MetricsLogger} ({@code metrics.jsonl}),
 * the {@link dev.rmr1.training.metrics.SamplesLogger} ({@code samples.jsonl}), PNG charts of the
 * curves ({@link dev.rmr1.training.metrics.TrainingPlots}, XChart, headless) and the console
 * {@link dev.rmr1.training.metrics.ProgressBar}. Metric names are in
 * {@link dev.rmr1.training.metrics.MetricNames} (spec section 11).
 *
 * <pre>{@code
 * MetricsLogger log = MetricsLogger.create(out.resolve("metrics.jsonl"));   // or resume(path, ckpt.step())
 * TrainingPlots plots = new TrainingPlots(out.resolve("plots"));
 * ProgressBar bar = ProgressBar.console("sft", totalSteps, startStep, cfg.run().progress());
 * ...
 * log.log(step, Map.of(MetricNames.TRAIN_LOSS, loss, MetricNames.LR, lr, MetricNames.GRAD_NORM, gn));
 * bar.update(step, Map.of("loss", loss, "lr", lr));
 * if (step % cfg.run().plotEvery() == 0) plots.write(log.history());
 * ...
 * plots.write(log.history());
 * bar.finish();
 * }</pre>
 */
package dev.rmr1.training.metrics;

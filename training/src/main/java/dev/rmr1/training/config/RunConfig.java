package dev.rmr1.training.config;

import java.nio.file.Path;

/**
 * Where a run writes and how often (section {@code run}). Nothing here changes what is computed, so
 * the section is left out of the configuration hash: a run may resume with other intervals.
 */
public record RunConfig(
    @Doc("output directory: checkpoints, metrics.jsonl, samples.jsonl, plots, config.yaml") Path out,
    @Doc("resume from the newest complete checkpoint in out, if there is one") boolean resume,
    @Doc("save a checkpoint every this many steps (0: only at the end)") int saveEvery,
    @Doc("checkpoints to keep; older ones are deleted after a newer one is complete") int keepLast,
    @Doc("write a metrics line every this many steps") int logEvery,
    @Doc("redraw the PNG plots every this many steps (0: only at the end)") int plotEvery,
    @Doc("log sample generations every this many steps (0: never)") int sampleEvery,
    @Doc("rows per sample log") int numSamples,
    @Doc("on resume with a different configuration hash") ConfigMismatchPolicy onConfigMismatch,
    @Doc("console progress display") ProgressMode progress)
    implements Validated {

  /** Defaults writing under {@code runs/<stage>}, checkpointing every {@code saveEvery} steps. */
  public static RunConfig defaults(String stage, int saveEvery) {
    return new RunConfig(Path.of("runs", stage), true, saveEvery, 2, 1, 10, 10, 4, ConfigMismatchPolicy.ERROR, ProgressMode.AUTO);
  }

  @Override
  public void validate(Problems p) {
    p.check(saveEvery >= 0, "save_every", "must be >= 0");
    p.check(keepLast >= 1, "keep_last", "must be >= 1");
    p.check(logEvery >= 1, "log_every", "must be >= 1");
    p.check(plotEvery >= 0, "plot_every", "must be >= 0");
    p.check(sampleEvery >= 0, "sample_every", "must be >= 0");
    p.check(numSamples >= 0, "num_samples", "must be >= 0");
  }
}

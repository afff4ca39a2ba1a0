package dev.rmr1.cli;

import dev.rmr1.training.config.ProgressMode;
import dev.rmr1.training.data.BadRecordPolicy;
import dev.rmr1.training.eval.Benchmark;
import dev.rmr1.training.eval.EvalHarness;
import dev.rmr1.training.eval.EvalOptions;
import dev.rmr1.training.eval.EvalRun;
import dev.rmr1.training.eval.ProgressListener;
import dev.rmr1.training.eval.RewardBench;
import dev.rmr1.training.eval.RmBench;
import dev.rmr1.training.eval.Rmb;
import dev.rmr1.training.judge.JudgeModel;
import dev.rmr1.training.metrics.ProgressBar;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./rmr1 eval}: scores a judge checkpoint on RewardBench, RM-Bench or RMB as RM-R1 scored them (spec 8), with
 * a per-sample log that an interrupted run resumes from.
 */
@Command(
    name = "eval", header = "Evaluate an RM-R1 judge on RewardBench, RM-Bench or RMB.",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluates an RM-R1 judge on a reward-model benchmark (spec 8): greedy decoding, batched generation, the chosen",
      "answer's slot drawn from --seed per pair (or both orders), verdicts parsed as RM-R1's evaluation does.",
      "Writes OUT/samples.jsonl (one line per judgement) and OUT/summary.json (the figures of RM-R1's result files)",
      "and prints a short table. A run that finds OUT/samples.jsonl resumes from it unless --overwrite is given."
    })
public final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin JudgeOptions modelOptions;

  @Option(names = "--bench", required = true, paramLabel = "rewardbench|rm-bench|rmb", description = "The benchmark.")
  String bench;

  @Option(names = "--data", required = true, arity = "1..*", paramLabel = "PATH",
      description = "The benchmark's data: RewardBench's JSON/JSONL export (one file); RM-Bench or RMB files or directories.")
  List<Path> data;

  @Option(names = "--limit", paramLabel = "N", description = "Read at most N records (per file for RM-Bench and RMB).")
  Long limit;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Position-swap seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--both-orders", description = "Judge each pair with the chosen answer in A and in B; report both and their mean.")
  boolean bothOrders;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "8", description = "Judgements generated together. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: runs/eval/BENCH-FORMAT-seedS.")
  Path out;

  @Option(names = "--overwrite", description = "Start over instead of resuming from OUT/samples.jsonl.")
  boolean overwrite;

  @Option(names = "--skip-bad-records", description = "Skip (and count) malformed records instead of stopping at the first.")
  boolean skipBad;

  @Option(names = "--rm-bench-upstream", description = "RM-Bench: score with the upstream script's rotated style matrix (spec 8) instead of the faithful one.")
  boolean rmBenchUpstream;

  @Option(names = "--progress", paramLabel = "auto|bar|lines|off", defaultValue = "auto", description = "Progress display. Default: ${DEFAULT-VALUE}.")
  ProgressMode progress;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (batch < 1) {
      err.println("eval: --batch must be >= 1, got " + batch);
      return 2;
    }
    Benchmark benchmark = load();
    Path dir = out != null ? out
        : Path.of("runs", "eval", bench + "-" + modelOptions.format.name().toLowerCase(Locale.ROOT) + "-seed" + seed);
    EvalHarness harness = new EvalHarness(modelOptions.judgePrompts(),
        new EvalOptions(modelOptions.format, seed, bothOrders, batch, !overwrite));
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.println("eval: " + benchmark.name() + ", " + benchmark.comparisons().size() + " comparisons, " + modelOptions.format
        .name().toLowerCase(Locale.ROOT) + " prompts, seed " + seed + (bothOrders ? ", both orders" : "") + ", output " + dir);
    stdout.flush();
    EvalRun run;
    try (JudgeModel judge = modelOptions.open(batch)) {
      run = harness.run(benchmark, judge.judge(), dir.resolve("samples.jsonl"), dir.resolve("summary.json"), bar());
    }
    if (run.resumed() > 0) stdout.println("resumed " + run.resumed() + " judgements from " + dir.resolve("samples.jsonl"));
    if (run.droppedPartialLine()) stdout.println("removed a cut-off last line of the log (its sample was judged again)");
    stdout.print(run.table());
    stdout.printf(Locale.ROOT, "errors (no verdict or both): %.2f%%%n", 100 * run.summary().path("errors").path("rate").asDouble());
    stdout.flush();
    return 0;
  }

  private Benchmark load() {
    BadRecordPolicy policy = skipBad ? BadRecordPolicy.SKIP : BadRecordPolicy.FAIL;
    long n = limit == null ? Long.MAX_VALUE : limit;
    return switch (bench) {
      case RewardBench.NAME -> {
        if (data.size() != 1) throw new IllegalArgumentException("--bench rewardbench takes one --data file, got " + data.size());
        yield RewardBench.load(data.get(0), n, policy);
      }
      case RmBench.NAME -> RmBench.load(data, n, policy, rmBenchUpstream);
      case Rmb.NAME -> Rmb.load(data, n, policy);
      default -> throw new IllegalArgumentException("unknown benchmark \"" + bench + "\": expected rewardbench, rm-bench or rmb");
    };
  }

  /** A progress bar created at the harness's first report, which counts the judgements resumed from the log. */
  private ProgressListener bar() {
    ProgressBar[] bar = new ProgressBar[1];
    return (done, total) -> {
      if (bar[0] == null) bar[0] = ProgressBar.console("eval " + bench, total, done, progress);
      if (bar[0] == null) return;
      bar[0].update(done, Map.of());
      if (done >= total) bar[0].finish();
    };
  }
}

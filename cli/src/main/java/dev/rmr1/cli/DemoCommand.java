package dev.rmr1.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.training.demo.Demo;
import dev.rmr1.training.demo.DemoReport;
import dev.rmr1.training.demo.DemoSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./rmr1 demo}: the whole RM-R1 story in a few minutes on a CPU, nothing to download. */
@Command(
    name = "demo", header = "Run RM-R1 end to end on a laptop: tokenizer, tiny model, SFT, GRPO, evaluation.",
    mixinStandardHelpOptions = true,
    description = {
      "Runs RM-R1 end to end on an embedded task: trains a byte-level BPE tokenizer on generated text, builds a tiny",
      "Qwen2 model, generates arithmetic judging pairs (a correct and a near-miss answer) with teacher traces in RM-R1's",
      "format, distils them by SFT, runs GRPO with RM-R1's +1/-1 verdict reward, and measures held-out judging accuracy",
      "before SFT, after SFT and after GRPO. Writes OUT/summary.json, OUT/plots/*.png, OUT/traces.md, OUT/metrics.jsonl,",
      "OUT/eval/ and the final judge in OUT/model (try: ./rmr1 judge --model OUT/model --prompts OUT/model/judge_prompts.json ...)."
    })
public final class DemoCommand implements Callable<Integer> {
  @Mixin DeviceOption device;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of everything (data, tokenizer corpus, weights, sampling). Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", paramLabel = "DIR", description = "Report folder. Default: runs/demo-seedS.")
  Path out;

  @Option(names = "--sft-steps", paramLabel = "N", description = "SFT optimizer steps (default: the demo's early stop).")
  Integer sftSteps;

  @Option(names = "--grpo-steps", paramLabel = "N", description = "GRPO rollout steps (default: the demo's).")
  Integer grpoSteps;

  @Override
  public Integer call() {
    PrintStream console = System.out;
    Path dir = out != null ? out : Path.of("runs", "demo-seed" + seed);
    DemoSettings settings = DemoSettings.defaults(seed);
    if (sftSteps != null) settings = settings.withSftSteps(sftSteps);
    if (grpoSteps != null) settings = settings.withGrpoSteps(grpoSteps);
    long t0 = System.nanoTime();
    Demo.Outcome outcome = new Demo(settings, dir, console, device.device()).run();
    double total = (System.nanoTime() - t0) / 1e9;
    ObjectNode summary = DemoReport.write(dir, settings, outcome, total, 5);
    console.printf(Locale.ROOT, "%nheld-out judging accuracy (seed %d, %d pairs):%n", seed, settings.heldOutPairs());
    console.printf(Locale.ROOT, "  before SFT  %.3f%n  after SFT   %.3f%n  after GRPO  %.3f%n", summary.get("accuracy_before_sft").asDouble(),
        summary.get("accuracy_after_sft").asDouble(), summary.get("accuracy_after_grpo").asDouble());
    console.printf(Locale.ROOT, "%.0f s in all; report in %s%n", total, dir);
    return 0;
  }
}

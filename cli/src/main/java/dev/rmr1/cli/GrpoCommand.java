package dev.rmr1.cli;

import dev.rmr1.training.config.GrpoConfig;
import dev.rmr1.training.grpo.GrpoRun;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code ./rmr1 grpo [--config FILE] [flags]}: GRPO with the RM-R1 verifiable reward (RM-R1 spec 6). */
@Command(
    name = "grpo", header = "GRPO with RM-R1's verifiable reward (stage 2): sample, reward +1/-1, update.",
    description = {
      "GRPO with a verifiable reward (RM-R1 stage 2): samples group_size responses per prompt (RLVR records with",
      "context_messages and winner), rewards +1/-1 by the RM-R1 verdict rule, group-normalised advantages, clipped ratio",
      "objective with a k3 KL to the reference (with LoRA: the base with adapters off), RM-R1's verl defaults (G 7,",
      "temperature 1, eps 0.2, beta 1e-3, 8 mini-batches per step, lr 1e-6). Prints the effective configuration, writes",
      "metrics.jsonl, samples.jsonl, plots/, checkpoints (resumed automatically) and final-model/ (+ final-adapter/).",
      "Example: ./rmr1 grpo --model runs/sft/final-model --data rlvr.jsonl --prompts-per-step 16 --group-size 7 --out runs/grpo"
    })
public final class GrpoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Unmatched List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    return TrainingCommand.run(spec, GrpoConfig.loader(), args, GrpoRun::run);
  }
}

package dev.rmr1.cli;

import dev.rmr1.training.config.SftConfig;
import dev.rmr1.training.sft.SftRun;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code ./rmr1 sft [--config FILE] [flags]}: SFT distillation of a reasoning reward model (RM-R1 spec 5). */
@Command(
    name = "sft", header = "SFT distillation (RM-R1 stage 1): train a model on teacher reasoning traces.",
    description = {
      "SFT distillation (RM-R1 stage 1): trains a model on teacher reasoning traces (records with context_messages and",
      "the trace in \"winner\"), loss on the assistant reply, with RM-R1's defaults (AdamW betas (0.9, 0.95), lr 5e-6,",
      "cosine with 3% warmup to 0.1 lr, 128 sequences per step, max_len 12288). Prints the effective configuration,",
      "writes metrics.jsonl, samples.jsonl, plots/, checkpoints (resumed automatically) and final-model/ (+ final-adapter/",
      "with --lora) under --out.",
      "Example: ./rmr1 sft --model Qwen/Qwen2.5-0.5B-Instruct --data sft.jsonl --lora --lora-r 16 --lr 1e-4 --out runs/sft"
    })
public final class SftCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Unmatched List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    return TrainingCommand.run(spec, SftConfig.loader(), args, SftRun::run);
  }
}

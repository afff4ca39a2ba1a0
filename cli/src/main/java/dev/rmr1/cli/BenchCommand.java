package dev.rmr1.cli;

import picocli.CommandLine.Command;

/** {@code ./rmr1 bench ...}: micro and macro benchmarks; BENCHMARKS.md records runs with their exact commands. */
@Command(
    name = "bench", header = "Benchmarks: matmul, decode, train-step, train, and make-checkpoint to make a model to run them on.",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks: GEMM (matmul), decoding (decode), a full training step (train-step), SFT/GRPO throughput (train),",
      "and a random Qwen2.5-0.5B-shaped checkpoint to run them on (make-checkpoint)."
    },
    subcommands = {BenchDecodeCommand.class, BenchMakeCheckpointCommand.class, BenchMatmulCommand.class, BenchTrainCommand.class, BenchTrainStepCommand.class})
public final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}

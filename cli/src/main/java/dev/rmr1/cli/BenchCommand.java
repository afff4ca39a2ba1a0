package dev.rmr1.cli;

import picocli.CommandLine.Command;

/** {@code ./rmr1 bench ...}: micro and macro benchmarks; see BENCHMARKS.md for recorded numbers. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks: kernels (matmul), decoding throughput, and a random Qwen2.5-0.5B-shaped checkpoint to run them on.",
    subcommands = {BenchMatmulCommand.class, BenchDecodeCommand.class, BenchMakeCheckpointCommand.class})
public final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}

package dev.rmr1.cli;

import picocli.CommandLine.Command;

/** Placeholder replaced by the GEMM work; registered so the CLI compiles. */
@Command(name = "matmul", mixinStandardHelpOptions = true, description = "GEMM throughput (GFLOP/s).")
public final class BenchMatmulCommand implements Runnable {
  @Override
  public void run() {
    throw new UnsupportedOperationException("bench matmul is not implemented yet");
  }
}

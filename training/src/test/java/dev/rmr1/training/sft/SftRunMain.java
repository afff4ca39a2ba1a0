package dev.rmr1.training.sft;

import dev.rmr1.training.config.SftConfig;

/** Runs {@link SftRun} from command-line arguments in a child JVM (the kill test). */
public final class SftRunMain {
  private SftRunMain() {}

  public static void main(String[] args) {
    SftRun.run(SftConfig.fromArgs(args), System.out);
  }
}

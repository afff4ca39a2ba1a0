package dev.rmr1.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.KernelTimers;
import org.junit.jupiter.api.Test;

class BenchTrainStepCommandTest {
  private static CliRun run(String... args) {
    return CliRun.run(args);
  }

  private static double number(String json, String key) {
    return CliRun.number(json, key);
  }

  private static final String[] TINY = {"bench", "train-step", "--hidden", "32", "--layers", "2", "--heads", "4", "--kv-heads", "2", "--intermediate", "40",
      "--vocab", "97", "--seq", "12", "--batch", "2", "--steps", "3", "--warmup", "1", "--threads", "2"};

  @Test
  void jsonLineWithThroughputMemoryAndKernelShares() {
    String[] args = java.util.Arrays.copyOf(TINY, TINY.length + 1);
    args[TINY.length] = "--json";
    CliRun r = run(args);
    assertEquals(0, r.exit(), r.err());
    String line = r.out().strip();
    assertEquals(1, line.lines().count(), line);
    assertEquals(32, number(line, "hidden"));
    assertEquals(2, number(line, "batch"));
    // tied: embedding 97x32; per layer q 32x32+32, k and v 32x16+16 each, o 32x32, mlp 3x32x40, two norms 32; final norm 32
    long perLayer = 32 * 32 + 32 + 2 * (32 * 16 + 16) + 32 * 32 + 3 * 32 * 40 + 2 * 32;
    assertEquals(97 * 32 + 2 * perLayer + 32, number(line, "params"));
    assertTrue(number(line, "tokens_per_s") > 0 && number(line, "step_ms") > 0, line);
    assertTrue(number(line, "peak_native_mb") >= number(line, "baseline_native_mb"), line);
    double loss = number(line, "loss");
    assertTrue(loss > 0 && loss < 2 * Math.log(97), "loss near ln(97) for random weights: " + line);
    double matmul = number(line, "matmul");
    assertTrue(matmul > 0 && matmul < 1, line);
    assertTrue(!KernelTimers.enabled(), "the timers are switched off again");
  }

  @Test
  void textReportNamesTheKernels() {
    CliRun r = run(TINY);
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("tokens/s") && r.out().contains("matmul") && r.out().contains("native memory: peak"), r.out());
  }

  @Test
  void rejectsHeadsThatDoNotDivide() {
    CliRun r = run("bench", "train-step", "--hidden", "30", "--heads", "4");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("must be a multiple of --heads"), r.err());
  }
}

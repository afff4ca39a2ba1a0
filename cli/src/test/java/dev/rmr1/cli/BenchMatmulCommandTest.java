package dev.rmr1.cli;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class BenchMatmulCommandTest {
  private static CliRun run(String... args) {
    return CliRun.run(args);
  }

  private static double number(String json, String key) {
    return CliRun.number(json, key);
  }

  @Test
  void jsonLineWithGflops() {
    CliRun r = run("bench", "matmul", "--m", "3", "--n", "5", "--k", "7", "--reps", "3", "--warmup", "1", "--warmup-seconds", "0", "--threads", "1", "--json");
    assertEquals(0, r.exit(), r.err());
    String line = r.out().strip();
    assertEquals(1, line.lines().count(), line);
    assertTrue(line.startsWith("{") && line.endsWith("}"), line);
    assertEquals(3, number(line, "m"));
    assertEquals(5, number(line, "n"));
    assertEquals(7, number(line, "k"));
    assertEquals(1, number(line, "threads"));
    assertTrue(number(line, "gflops") > 0 && number(line, "median_ms") > 0, line);
    assertTrue(line.contains("\"dtype\":\"f32\"") && line.contains("\"layout\":\"nn\""), line);
  }

  @Test
  void bf16GemvWithBandwidthAsText() {
    CliRun r = run("bench", "matmul", "--m", "1", "--n", "64", "--k", "33", "--dtype", "bf16", "--copies", "2",
        "--reps", "2", "--warmup", "0", "--warmup-seconds", "0.05", "--bandwidth-mib", "1");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("F32 x BF16 (nt)") && r.out().contains("GFLOP/s") && r.out().contains("streaming read"), r.out());
  }

  @Test
  void rejectsNonPositiveSizes() {
    CliRun r = run("bench", "matmul", "--m", "0", "--n", "5", "--k", "7");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("--m, --n and --k must be positive"), r.err());
  }
}

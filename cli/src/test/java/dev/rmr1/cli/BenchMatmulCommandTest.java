package dev.rmr1.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchMatmulCommandTest {
  private record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  private static double number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":([-0-9.eE]+)").matcher(json);
    assertTrue(m.find(), key + " missing in " + json);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void jsonLineWithGflops() {
    Result r = run("bench", "matmul", "--m", "3", "--n", "5", "--k", "7", "--reps", "3", "--warmup", "1", "--warmup-seconds", "0", "--threads", "1", "--json");
    assertEquals(0, r.exit, r.err);
    String line = r.out.strip();
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
    Result r = run("bench", "matmul", "--m", "1", "--n", "64", "--k", "33", "--dtype", "bf16", "--copies", "2",
        "--reps", "2", "--warmup", "0", "--warmup-seconds", "0.05", "--bandwidth-mib", "1");
    assertEquals(0, r.exit, r.err);
    assertTrue(r.out.contains("F32 x BF16 (nt)") && r.out.contains("GFLOP/s") && r.out.contains("streaming read"), r.out);
  }

  @Test
  void rejectsNonPositiveSizes() {
    Result r = run("bench", "matmul", "--m", "0", "--n", "5", "--k", "7");
    assertNotEquals(0, r.exit);
    assertTrue(r.err.contains("--m, --n and --k must be positive"), r.err);
  }
}

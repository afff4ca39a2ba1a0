package dev.rmr1.examples;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrpoStepExplainedTest {
  @Test
  void theStepRaisesTheRewardedResponseAndLowersTheOthers(@TempDir Path dir) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    GrpoStepExplained.Result r = GrpoStepExplained.run(ExampleFixtures.tinyQwen2(), ExampleFixtures.tokenizer(dir), 4, 12, 3,
        new PrintStream(buf, true, StandardCharsets.UTF_8));
    String log = buf.toString(StandardCharsets.UTF_8);
    // the untrained samples earn -1, the demonstration +1: the spec's k = 1 of 4 advantages
    assertArrayEquals(new double[] {-1, -1, -1, 1}, r.rewards(), log);
    // mean -0.5, unbiased std exactly 1
    assertEquals(1.5 / (1 + 1e-6), r.advantages()[3], 1e-9, log);
    for (int i = 0; i < 3; i++) assertEquals(-0.5 / (1 + 1e-6), r.advantages()[i], 1e-9, log);
    assertTrue(r.after()[3] > r.before()[3], log);
    for (int i = 0; i < 3; i++) assertTrue(r.after()[i] < r.before()[i], "response " + i + "\n" + log);
    assertTrue(log.contains("[teacher demonstration]"), log);
  }
}

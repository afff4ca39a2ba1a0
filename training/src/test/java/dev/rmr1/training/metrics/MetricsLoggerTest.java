package dev.rmr1.training.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLoggerTest {
  @TempDir Path dir;

  private static Map<String, Double> m(Object... kv) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) out.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    return out;
  }

  @Test
  void oneFlushedJsonObjectPerStep() throws IOException {
    Path f = dir.resolve("sub/metrics.jsonl");
    double[] t = {1000.25};
    try (MetricsLogger log = MetricsLogger.create(f, () -> t[0]++)) {
      log.log(1, m("train/loss", 2.5, "lr", 5e-6));
      // Flushed: readable before close.
      assertEquals("{\"step\":1,\"time\":1000.25,\"train/loss\":2.5,\"lr\":5.0E-6}\n", Files.readString(f));
      log.log(3, m("train/loss", Double.NaN, "grad_norm", Double.POSITIVE_INFINITY));
      assertEquals("{\"step\":1,\"time\":1000.25,\"train/loss\":2.5,\"lr\":5.0E-6}\n"
          + "{\"step\":3,\"time\":1001.25,\"train/loss\":NaN,\"grad_norm\":Infinity}\n", Files.readString(f));
      assertEquals(List.of(1, 3), log.history().stream().map(MetricsRecord::step).toList());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> log.log(3, m("x", 1)));
      assertEquals("metrics step 3 is not after the last logged step 3", e.getMessage());
    }
    List<MetricsRecord> back = MetricsLogger.read(f);
    assertEquals(2, back.size());
    assertEquals(List.of("train/loss", "lr"), List.copyOf(back.get(0).values().keySet()));
    assertTrue(Double.isNaN(back.get(1).get("train/loss")));
    assertEquals(Double.POSITIVE_INFINITY, back.get(1).get("grad_norm"));
    assertTrue(Double.isNaN(back.get(1).get("absent")));
  }

  @Test
  void createReplacesAnOldLog() throws IOException {
    Path f = dir.resolve("metrics.jsonl");
    Files.writeString(f, "{\"step\":9}\n");
    try (MetricsLogger log = MetricsLogger.create(f, () -> 0)) {
      log.log(1, m("a", 1));
    }
    assertEquals(1, MetricsLogger.read(f).size());
  }

  @Test
  void resumeDropsLaterStepsAndATornLineThenAppends() throws IOException {
    Path f = dir.resolve("metrics.jsonl");
    try (MetricsLogger log = MetricsLogger.create(f, () -> 5)) {
      for (int s = 1; s <= 10; s++) log.log(s, m("train/loss", 1.0 / s));
    }
    Files.writeString(f, "{\"step\":11,\"time\":5,\"train/lo", java.nio.file.StandardOpenOption.APPEND); // killed mid-line
    try (MetricsLogger log = MetricsLogger.resume(f, 6, () -> 7)) {
      assertEquals(List.of(1, 2, 3, 4, 5, 6), log.history().stream().map(MetricsRecord::step).toList());
      assertEquals(List.of(5, 6), log.tail(2).stream().map(MetricsRecord::step).toList());
      assertEquals(6, Files.readAllLines(f).size(), "lines after the resumed step are gone before anything is appended");
      log.log(7, m("train/loss", 0.5));
      assertThrows(IllegalArgumentException.class, () -> log.log(6, m("train/loss", 0.5)));
    }
    List<MetricsRecord> back = MetricsLogger.read(f);
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), back.stream().map(MetricsRecord::step).toList());
    assertEquals(1.0 / 6, back.get(5).get("train/loss"));
    assertEquals(7.0, back.get(6).time());
  }

  @Test
  void aCompleteLastLineWithoutNewlineIsKeptAndTerminatedOnResume() throws IOException {
    Path f = dir.resolve("m.jsonl");
    Files.writeString(f, "{\"step\":1,\"time\":2,\"a\":1.0}\n{\"step\":2,\"time\":3,\"a\":2.0}");
    assertEquals(2, MetricsLogger.read(f).size());
    try (MetricsLogger log = MetricsLogger.resume(f, 2, () -> 4)) {
      log.log(3, m("a", 3));
    }
    assertEquals(List.of("{\"step\":1,\"time\":2,\"a\":1.0}", "{\"step\":2,\"time\":3,\"a\":2.0}", "{\"step\":3,\"time\":4.0,\"a\":3.0}"),
        Files.readAllLines(f));
  }

  @Test
  void resumeWithoutALogStartsOne() {
    Path f = dir.resolve("none.jsonl");
    try (MetricsLogger log = MetricsLogger.resume(f, 40)) {
      assertTrue(log.history().isEmpty());
      log.log(41, m("a", 1));
    }
    assertEquals(41, MetricsLogger.read(f).getFirst().step());
  }

  @Test
  void aBadLineInsideTheFileIsAnErrorNamingIt() throws IOException {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"step\":1}\nnot json\n{\"step\":2}\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsLogger.read(f));
    assertTrue(e.getMessage().startsWith(f + ":2: not a JSON object"), e.getMessage());
    Files.writeString(f, "{\"step\":1}\n{\"no_step\":1}\n");
    e = assertThrows(IllegalArgumentException.class, () -> MetricsLogger.read(f));
    assertTrue(e.getMessage().startsWith(f + ":2: expected an object with an integer \"step\""), e.getMessage());
  }

  @Test
  void reservedAndNullMetricsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new MetricsRecord(1, 0, m("step", 1)));
    Map<String, Double> withNull = new LinkedHashMap<>();
    withNull.put("loss", null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MetricsRecord(1, 0, withNull));
    assertEquals("step 1: metric 'loss' is null", e.getMessage());
  }

  @Test
  void samplesLogRowsAndResume() throws IOException {
    Path f = dir.resolve("samples.jsonl");
    try (SamplesLogger s = SamplesLogger.create(f)) {
      s.log(10, List.of(SampleRow.of("Which is better?\n[A] ...", "<answer>[[A]]</answer>", 1.0, 0.378),
          new SampleRow("p", "c\u00e9 \"q\"", -1.0, -2.2678, Map.of("group", 3))));
      s.log(20, List.of(SampleRow.of("p2", "c2")));
    }
    List<String> lines = Files.readAllLines(f);
    assertEquals("{\"step\":10,\"prompt\":\"Which is better?\\n[A] ...\",\"completion\":\"<answer>[[A]]</answer>\",\"reward\":1.0,\"advantage\":0.378}", lines.get(0));
    assertEquals("{\"step\":10,\"prompt\":\"p\",\"completion\":\"c\u00e9 \\\"q\\\"\",\"reward\":-1.0,\"advantage\":-2.2678,\"group\":3}", lines.get(1));
    assertEquals("{\"step\":20,\"prompt\":\"p2\",\"completion\":\"c2\"}", lines.get(2));
    try (SamplesLogger s = SamplesLogger.resume(f, 15)) {
      s.log(20, List.of(SampleRow.of("again", "x")));
    }
    lines = Files.readAllLines(f);
    assertEquals(3, lines.size());
    assertTrue(lines.get(2).contains("again"));
    assertThrows(IllegalArgumentException.class, () -> new SampleRow("p", "c", null, null, Map.of("reward", 1)));
    assertThrows(IllegalArgumentException.class, () -> new SampleRow("p", "c", null, null, Map.of("x", List.of())));
  }
}

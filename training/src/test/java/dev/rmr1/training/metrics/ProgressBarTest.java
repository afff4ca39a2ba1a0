package dev.rmr1.training.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private long now = 1_000_000_000L;

  private String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static final long SEC = 1_000_000_000L;

  @Test
  void terminalRedrawsOneLineWithBarRateEtaAndMetrics() {
    ProgressBar p = new ProgressBar("sft", 10, 0, out, true, () -> now, 30 * SEC);
    p.update(0, Map.of());
    assertEquals("\rsft [>                             ]  0/10   0.0% | ? it/s | 0:00 < ?", text());
    now += 2 * SEC;
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", 0.54321);
    m.put("lr", 4.9e-6);
    p.update(4, m);
    String second = "sft [############>                 ]  4/10  40.0% | 2 it/s | 0:02 < 0:03 | loss 0.5432 lr 4.9e-6";
    assertTrue(text().endsWith("\r" + second), text());
    now += 50_000_000L; // 50 ms later: throttled, nothing drawn
    p.update(5, Map.of());
    assertTrue(text().endsWith(second));
    now += 5 * SEC;
    p.update(10, Map.of());
    String done = "sft [##############################] 10/10 100.0% | 1.418 it/s | 0:07 < 0:00";
    // The shorter final line is padded to wipe the longer previous one, then the line is closed.
    assertTrue(text().endsWith("\r" + done + " ".repeat(second.length() - done.length()) + "\n"), text());
    assertFalse(text().substring(0, text().length() - 1).contains("\n"), "a terminal bar is a single line");
  }

  @Test
  void plainLinesAtIntervalsForLogs() {
    ProgressBar p = new ProgressBar("grpo", 100, 0, out, false, () -> now, 30 * SEC);
    for (int s = 1; s <= 100; s++) {
      now += SEC; // 1 step per second
      p.update(s, Map.of("reward", s / 100.0));
    }
    p.finish();
    List<String> lines = text().lines().toList();
    assertFalse(text().contains("\r"));
    // first update, then every 30 s (steps 31, 61, 91), then the end.
    assertEquals(5, lines.size(), text());
    assertEquals("grpo   1/100 (1.0%) 1 it/s elapsed 0:01 eta 1:39 reward 0.01", lines.get(0));
    assertEquals("grpo  31/100 (31.0%) 1 it/s elapsed 0:31 eta 1:09 reward 0.31", lines.get(1));
    assertEquals("grpo 100/100 (100.0%) 1 it/s elapsed 1:40 eta 0:00 reward 1", lines.get(4));
  }

  @Test
  void finishShowsTheLastThrottledState() {
    ProgressBar p = new ProgressBar("x", 100, 0, out, false, () -> now, 30 * SEC);
    now += SEC;
    p.update(1, Map.of());
    now += SEC;
    p.update(2, Map.of());
    p.finish();
    p.finish();
    assertEquals(List.of("x   1/100 (1.0%) 1 it/s elapsed 0:01 eta 1:39", "x   2/100 (2.0%) 1 it/s elapsed 0:02 eta 1:38"), text().lines().toList());
  }

  @Test
  void resumedRunCountsOnlyItsOwnSteps() {
    ProgressBar p = new ProgressBar("sft", 1000, 900, out, false, () -> now, 30 * SEC);
    now += 10 * SEC;
    p.update(905, Map.of());
    assertEquals("sft  905/1000 (90.5%) 2 s/it elapsed 0:10 eta 3:10\n", text());
  }

  @Test
  void messagesGoAboveTheBar() {
    ProgressBar p = new ProgressBar("sft", 4, 0, out, true, () -> now, 30 * SEC);
    now += SEC;
    p.update(1, Map.of());
    String bar = "sft [#######>                      ] 1/4  25.0% | 1 it/s | 0:01 < 0:03";
    p.message("saved checkpoint-1");
    assertEquals("\r" + bar + "\r" + " ".repeat(bar.length()) + "\rsaved checkpoint-1" + System.lineSeparator() + bar, text());
  }

  @Test
  void numberAndDurationFormats() {
    assertEquals("0.5432", ProgressBar.number(0.543210));
    assertEquals("4.9e-6", ProgressBar.number(4.9e-6));
    assertEquals("1.235e7", ProgressBar.number(12_345_678));
    assertEquals("-2.268", ProgressBar.number(-2.2678));
    assertEquals("1000", ProgressBar.number(1000));
    assertEquals("0", ProgressBar.number(0));
    assertEquals("nan", ProgressBar.number(Double.NaN));
    assertEquals("0:59", ProgressBar.duration(59.4));
    assertEquals("1:00", ProgressBar.duration(59.6));
    assertEquals("2:03:04", ProgressBar.duration(7384));
    assertEquals("?", ProgressBar.duration(Double.POSITIVE_INFINITY));
  }
}

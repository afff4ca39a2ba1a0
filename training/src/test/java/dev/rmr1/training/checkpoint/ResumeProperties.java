package dev.rmr1.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rmr1.training.metrics.MetricsLogger;
import dev.rmr1.training.metrics.MetricsRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** A run killed at any step and resumed from its checkpoints ends exactly like one never killed. */
class ResumeProperties {
  static final int TOTAL = 16;

  /** What a finished run leaves: final weights, optimizer buffer, metric lines (without wall time). */
  record Outcome(float[] w, float[] m, List<Map.Entry<Integer, Map<String, Double>>> metrics, TrainerState finalState) {}


  static Outcome read(Path out, float[] w, float[] m, CheckpointManager ckpt) {
    List<Map.Entry<Integer, Map<String, Double>>> lines = MetricsLogger.read(out.resolve("metrics.jsonl")).stream()
        .map((MetricsRecord r) -> Map.entry(r.step(), r.values())).toList();
    TrainerState s = ckpt.latest().orElseThrow().state();
    // The config hash, RNG states, cursor, epoch and metrics tail must agree; wall times differ.
    s = s.withMetricsTail(s.metricsTail().stream().map(r -> new MetricsRecord(r.step(), 0, r.values())).toList());
    return new Outcome(w, m, lines, s);
  }

  static void assertSame(Outcome a, Outcome b) {
    assertArrayEquals(a.w(), b.w(), "weights");
    assertArrayEquals(a.m(), b.m(), "optimizer state");
    assertEquals(a.metrics(), b.metrics(), "metrics log");
    assertEquals(a.finalState(), b.finalState(), "final trainer state");
  }

  /** The run never killed; how often it saves does not change its outcome, so it saves only at the end. */
  static Outcome uninterrupted(Path out, long seed) {
    try (ToyTraining t = new ToyTraining(out, seed, TOTAL, TOTAL, 1)) {
      t.run(-1);
      return read(out, t.w.toFloatArray(), t.m.toFloatArray(), t.ckpt);
    }
  }

  @Property(tries = 6)
  void killedAtAnyStepResumesBitIdentical(@ForAll long seed, @ForAll @IntRange(min = 1, max = TOTAL) int killAt,
      @ForAll @IntRange(min = 1, max = 5) int saveEvery, @ForAll @IntRange(min = 1, max = 3) int keepLast) throws IOException {
    Path base = Files.createTempDirectory("rmr1-resume");
    try {
      Outcome expected = uninterrupted(base.resolve("reference"), seed);
      Path run = base.resolve("run");
      try (ToyTraining t = new ToyTraining(run, seed, TOTAL, saveEvery, keepLast)) {
        assertFalse(t.resumed);
        assertThrows(ToyTraining.Killed.class, () -> t.run(killAt));
      }
      Outcome got;
      try (ToyTraining t = new ToyTraining(run, seed, TOTAL, saveEvery, keepLast)) {
        int lastSave = (killAt - 1) / saveEvery * saveEvery; // completed steps before the kill, rounded down to a save
        assertEquals(lastSave, t.step, "resumed from the last checkpoint before the kill");
        assertEquals(lastSave > 0, t.resumed);
        t.run(-1);
        got = read(run, t.w.toFloatArray(), t.m.toFloatArray(), t.ckpt);
        assertEquals(Math.min(keepLast, expectedCheckpoints(saveEvery)), t.ckpt.steps().size(), "checkpoints kept");
      }
      assertSame(expected, got);
    } finally {
      deleteTree(base);
    }
  }

  /** Killed twice, the second time before the first resume reached a new checkpoint. */
  @Property(tries = 3)
  void killedTwiceResumesBitIdentical(@ForAll long seed, @ForAll @IntRange(min = 2, max = TOTAL) int firstKill, @ForAll @IntRange(min = 1, max = 5) int more)
      throws IOException {
    Path base = Files.createTempDirectory("rmr1-resume2");
    try {
      int saveEvery = 4;
      Outcome expected = uninterrupted(base.resolve("reference"), seed);
      Path run = base.resolve("run");
      try (ToyTraining t = new ToyTraining(run, seed, TOTAL, saveEvery, 2)) {
        assertThrows(ToyTraining.Killed.class, () -> t.run(firstKill));
      }
      try (ToyTraining t = new ToyTraining(run, seed, TOTAL, saveEvery, 2)) {
        int secondKill = Math.min(TOTAL, t.step + more);
        assertThrows(ToyTraining.Killed.class, () -> t.run(secondKill));
      }
      try (ToyTraining t = new ToyTraining(run, seed, TOTAL, saveEvery, 2)) {
        t.run(-1);
        assertSame(expected, read(run, t.w.toFloatArray(), t.m.toFloatArray(), t.ckpt));
      }
    } finally {
      deleteTree(base);
    }
  }

  private static int expectedCheckpoints(int saveEvery) {
    return TOTAL / saveEvery + (TOTAL % saveEvery == 0 ? 0 : 1);
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}

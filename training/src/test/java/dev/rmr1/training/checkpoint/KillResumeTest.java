package dev.rmr1.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: a training process killed with SIGKILL (no shutdown hooks, no cleanup, possibly in
 * the middle of writing a checkpoint) resumes from its last complete checkpoint and ends
 * bit-identical to a run never killed.
 */
class KillResumeTest {
  @TempDir Path dir;

  @Test
  void sigkilledRunResumesBitIdentical() throws Exception {
    long seed = 20250505L;
    int killDelayMs = new java.util.Random().nextInt(150);
    int total = ResumeProperties.TOTAL;
    Path run = dir.resolve("run");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), ToyTraining.class.getName(), run.toString(), Long.toString(seed), Integer.toString(total),
        "1", "2", "40");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    try {
      // Kill once the child has completed a few checkpoints, wherever it is by then.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (latestStep(run) < 3) {
        assertTrue(p.isAlive(), () -> "child ended early: " + log());
        assertTrue(System.nanoTime() < deadline, () -> "child made no progress: " + log());
        Thread.sleep(5);
      }
      // A step takes 40 ms of sleep plus a checkpoint save (several fsyncs): a random delay lands the
      // kill anywhere in a step, often inside a save.
      Thread.sleep(killDelayMs);
      assertTrue(p.isAlive(), "the child must still be running when it is killed");
      p.destroyForcibly(); // SIGKILL on Linux and macOS
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    } finally {
      p.destroyForcibly();
    }
    int resumedFrom;
    ResumeProperties.Outcome got;
    try (ToyTraining t = new ToyTraining(run, seed, total, 1, 2)) {
      assertTrue(t.resumed);
      resumedFrom = t.step;
      t.run(-1);
      got = ResumeProperties.read(run, t.w.toFloatArray(), t.m.toFloatArray(), t.ckpt);
    }
    assertTrue(resumedFrom >= 3 && resumedFrom < total, "resumed from step " + resumedFrom + " (killed " + killDelayMs + " ms after step 3 was saved)");
    ResumeProperties.assertSame(ResumeProperties.uninterrupted(dir.resolve("reference"), seed), got);
    try (var s = Files.list(run)) {
      assertEquals(List.of("checkpoint-" + (total - 1), "checkpoint-" + total, "latest", "metrics.jsonl"),
          s.map(x -> x.getFileName().toString()).sorted().toList(), "no leftovers");
    }
  }

  private static int latestStep(Path run) throws IOException {
    Path latest = run.resolve("latest");
    if (!Files.exists(latest)) return -1;
    String s = Files.readString(latest).strip(); // written atomically: never partial
    return Integer.parseInt(s.substring("checkpoint-".length()));
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("child.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }
}

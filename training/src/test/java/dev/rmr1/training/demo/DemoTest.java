package dev.rmr1.training.demo;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.training.data.JudgePrompts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole demo pipeline at toy size: every stage runs, the report is complete, and a seed reproduces it. */
class DemoTest {
  static DemoSettings toy(long seed) {
    return new DemoSettings(seed, 9, "+-", 0.2, 0.6, 64, 8, 6, 60, 320, 32, 1, 2, 1, 64, 128, 3, 4, 3e-3, 2, 2, 3, 1e-3, 12, 6);
  }

  static ObjectNode run(Path out, long seed) {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Demo.Outcome o = new Demo(toy(seed), out, new PrintStream(log, true, StandardCharsets.UTF_8)).run();
    return DemoReport.write(out, toy(seed), o, 1.0, 3);
  }

  @Test
  void everyStageRunsAndTheReportIsCompleteAndReproducible(@TempDir Path dir) throws Exception {
    ObjectNode a = run(dir.resolve("a"), 4);
    for (String k : new String[] {"accuracy_before_sft", "accuracy_after_sft", "accuracy_after_grpo"}) {
      double v = a.get(k).asDouble();
      assertTrue(v >= 0 && v <= 1, k + " " + v);
    }
    assertEquals(4, a.get("seed").asLong());
    for (String k : new String[] {"last_digit_check_before_sft", "last_digit_check_after_sft", "last_digit_check_after_grpo"}) {
      double v = a.get(k).asDouble();
      assertTrue(v >= 0 && v <= 1, k + " " + v);
    }
    // every GRPO step logs what its rollouts looked like
    long grpoSteps = Files.readAllLines(dir.resolve("a").resolve(Demo.METRICS)).stream().filter(l -> l.contains(Demo.ROLLOUT_LAST_DIGITS)
        && l.contains(Demo.ROLLOUT_VERDICT)).count();
    assertEquals(toy(4).grpoSteps(), grpoSteps);
    JsonNode onDisk = new ObjectMapper().readTree(dir.resolve("a/summary.json").toFile());
    assertEquals(a.toString(), onDisk.toString());
    for (String plot : new String[] {"loss", "reward", "accuracy", "length"}) {
      assertTrue(Files.size(dir.resolve("a/plots/" + plot + ".png")) > 1000, plot);
    }
    String traces = Files.readString(dir.resolve("a/traces.md"));
    assertEquals(3, traces.split("\n## ", -1).length - 1, traces);
    assertTrue(traces.contains("after GRPO"), traces);
    // the final judge is a loadable model directory with its tokenizer and prompts
    for (String f : new String[] {"config.json", "tokenizer.json", "tokenizer_config.json", DemoPrompts.FILE_NAME}) {
      assertTrue(Files.exists(dir.resolve("a/model").resolve(f)), f);
    }
    assertEquals(DemoPrompts.prompts(), JudgePrompts.load(dir.resolve("a/model").resolve(DemoPrompts.FILE_NAME)));

    ObjectNode b = run(dir.resolve("b"), 4);
    for (String k : new String[] {"accuracy_before_sft", "accuracy_after_sft", "accuracy_after_grpo"}) assertEquals(a.get(k), b.get(k), k);
    assertEquals(Files.readString(dir.resolve("a/eval/after_grpo.jsonl")), Files.readString(dir.resolve("b/eval/after_grpo.jsonl")));
  }
}

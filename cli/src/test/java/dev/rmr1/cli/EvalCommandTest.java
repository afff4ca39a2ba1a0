package dev.rmr1.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.training.demo.DemoPrompts;
import dev.rmr1.training.demo.DemoTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./rmr1 eval} and {@code ./rmr1 judge} end to end on tiny-qwen2-a (random weights) with a 320-id BPE
 * tokenizer trained here. RM-R1's system prompt alone is about 2,900 tokens for such a tokenizer, too slow to prefill
 * in a unit test, so the runs use the demo's compact prompts (--prompts); that RM-R1's own are the default is checked
 * on the parsed options. The model directory is a copy whose config.json allows 8,192 positions (rotary embeddings
 * have no built-in length) because RMB's conversations are long.
 */
class EvalCommandTest {
  @TempDir static Path tmp;
  static Path model;

  static Path prompts;

  @BeforeAll
  static void modelDirectory() throws Exception {
    prompts = tmp.resolve("prompts.json");
    var p = DemoPrompts.prompts();
    new ObjectMapper().writeValue(prompts.toFile(), java.util.Map.of("instruct_system", p.instructSystem(), "instruct_user_single",
        p.instructUserSingle(), "instruct_user_multi", p.instructUserMulti(), "reasoning_user_single", p.reasoningUserSingle(),
        "reasoning_user_multi", p.reasoningUserMulti()));
    model = tmp.resolve("tiny");
    Path src = GenerateCommandTest.tiny();
    Files.createDirectories(model);
    Files.copy(src.resolve("model.safetensors"), model.resolve("model.safetensors"));
    Files.writeString(model.resolve("config.json"),
        Files.readString(src.resolve("config.json")).replace("\"max_position_embeddings\": 256", "\"max_position_embeddings\": 8192"));
    assertEquals(320, DemoTokenizer.train(2, 320, 120, 99, model).tokenizer().vocabSize());
  }

  static Path data(String name) throws Exception {
    return Path.of(EvalCommandTest.class.getResource("bench/" + name).toURI());
  }

  static List<JsonNode> lines(Path f) throws IOException {
    ObjectMapper json = new ObjectMapper();
    return Files.readAllLines(f).stream().map(l -> {
      try {
        return json.readTree(l);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

  @Test
  void rewardBenchLogsSummarisesAndResumes() throws Exception {
    Path out = tmp.resolve("rb");
    String[] args = {"eval", "--model", model.toString(), "--bench", "rewardbench", "--data", data("rewardbench.jsonl").toString(),
        "--prompts", prompts.toString(), "--limit", "3", "--seed", "5", "--batch", "2", "--max-new-tokens", "4", "--out", out.toString(), "--progress", "off"};
    CliRun r = CliRun.run(args);
    assertEquals(0, r.exit(), r.err());
    List<JsonNode> samples = lines(out.resolve("samples.jsonl"));
    assertEquals(3, samples.size());
    for (JsonNode s : samples) {
      assertEquals(5, s.get("seed").asLong());
      assertEquals(List.of("system", "user"), List.of(s.get("prompt").get(0).get("role").asText(), s.get("prompt").get(1).get("role").asText()));
      assertEquals(DemoPrompts.SYSTEM, s.get("prompt").get(0).get("content").asText());
    }
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("rewardbench", summary.get("benchmark").asText());
    assertEquals(3, summary.get("judgements").asInt());
    assertTrue(r.out().contains("rewardbench"), r.out());
    assertTrue(r.out().contains("errors (no verdict or both)"), r.out());

    CliRun again = CliRun.run(args);
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.out().contains("resumed 3 judgements"), again.out());
    assertEquals(samples, lines(out.resolve("samples.jsonl")));

    String[] fresh = java.util.Arrays.copyOf(args, args.length + 1);
    fresh[args.length] = "--overwrite";
    CliRun over = CliRun.run(fresh);
    assertEquals(0, over.exit(), over.err());
    assertFalse(over.out().contains("resumed"), over.out());
    assertEquals(samples, lines(out.resolve("samples.jsonl")), "greedy decoding gives the same log");
  }

  @Test
  void rmbBothOrdersJudgesEachPairTwice() throws Exception {
    Path out = tmp.resolve("rmb");
    CliRun r = CliRun.run("eval", "--model", model.toString(), "--bench", "rmb", "--data",
        data("rmb").toString(), "--prompts", prompts.toString(), "--limit", "1", "--both-orders", "--format", "reasoning", "--max-new-tokens", "3", "--out",
        out.toString(), "--progress", "lines");
    assertEquals(0, r.exit(), r.err());
    List<JsonNode> samples = lines(out.resolve("samples.jsonl"));
    assertEquals(2, samples.size());
    assertNotEquals(samples.get(0).get("swapped").asBoolean(), samples.get(1).get("swapped").asBoolean());
    assertEquals("user", samples.get(0).get("prompt").get(0).get("role").asText(), "the reasoning family has no system prompt");
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertTrue(summary.get("scores").has("averaged"));
  }

  @Test
  void rmR1sOwnPromptsAreTheDefault() {
    picocli.CommandLine cl = Main.commandLine();
    var parsed = cl.parseArgs("eval", "--model", "m", "--bench", "rmb", "--data", "d");
    EvalCommand eval = (EvalCommand) parsed.subcommand().commandSpec().userObject();
    assertSame(dev.rmr1.training.data.JudgePrompts.bundled(), eval.modelOptions.judgePrompts());
    assertEquals(dev.rmr1.training.data.PromptFormat.INSTRUCT, eval.modelOptions.format);
    assertEquals(50000, eval.modelOptions.maxNewTokens);
  }

  @Test
  void badArgumentsAreClearErrors() throws Exception {
    CliRun r = CliRun.run("eval", "--model", model.toString(), "--bench", "helpsteer", "--data",
        data("rewardbench.jsonl").toString(), "--out", tmp.resolve("x").toString());
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("unknown benchmark \"helpsteer\""), r.err());
  }

  @Test
  void judgeStreamsTheGenerationAndPrintsTheVerdict() throws Exception {
    CliRun r = CliRun.run("judge", "--model", model.toString(), "--prompts", prompts.toString(),
        "--question", "What is 2 + 2?", "--a", "4", "--b", "5", "--max-new-tokens", "10");
    assertTrue(r.exit() == 0 || r.exit() == 1, r.err());
    assertTrue(r.out().contains("verdict: "), r.out());
    assertEquals(r.exit() == 1, r.out().contains("verdict: none"), r.out());
  }
}

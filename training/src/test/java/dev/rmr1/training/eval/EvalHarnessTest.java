package dev.rmr1.training.eval;

import static dev.rmr1.training.eval.BenchmarkLoadersTest.resource;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.training.data.BadRecordPolicy;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.DatasetFormatException;
import dev.rmr1.training.data.JudgePrompts;
import dev.rmr1.training.data.PromptFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the whole harness over the (few) real benchmark records with deterministic fake judges. */
class EvalHarnessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 1234;

  private static EvalHarness harness(PromptFormat f, boolean both, int batch, boolean resume) {
    return new EvalHarness(JudgePrompts.bundled(), new EvalOptions(f, SEED, both, batch, resume));
  }

  private static List<JsonNode> lines(Path f) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(f)) out.add(JSON.readTree(l));
    return out;
  }

  @Test
  void rewardBenchWithAnOracleJudgeScoresPerfectlyAndLogsEverything(@TempDir Path dir) throws Exception {
    RewardBench rb = RewardBench.load(resource("rewardbench/sample.jsonl"), Long.MAX_VALUE, BadRecordPolicy.FAIL);
    Path log = dir.resolve("samples.jsonl");
    Path summary = dir.resolve("out/summary.json");
    List<int[]> progress = new ArrayList<>();
    EvalRun run = harness(PromptFormat.INSTRUCT, false, 3, false)
        .run(rb, FakeJudges.oracle(rb), log, summary, (d, t) -> progress.add(new int[] {d, t}));
    assertEquals(8, run.judged());
    assertEquals(List.of(0, 3, 6, 8), progress.stream().map(p -> p[0]).toList());
    List<JsonNode> samples = lines(log);
    assertEquals(8, samples.size());
    for (int i = 0; i < 8; i++) {
      JsonNode s = samples.get(i);
      String id = rb.comparisons().get(i).id();
      assertEquals(id, s.get("id").asText());
      assertEquals(PositionSwap.swapped(SEED, id), s.get("swapped").booleanValue());
      assertEquals(1, s.get("correct").intValue());
      assertEquals(s.get("swapped").booleanValue() ? "B" : "A", s.get("verdict").asText());
      assertEquals("system", s.get("prompt").get(0).get("role").asText());
      assertEquals(SEED, s.get("seed").longValue());
    }
    // The one-pass substitution reached the log: the response's own "{answer_b}" is intact.
    assertTrue(samples.get(2).get("prompt").get(1).get("content").asText().contains("The literal text {answer_b} stays"));
    JsonNode sum = JSON.readTree(summary.toFile());
    assertEquals("rewardbench", sum.get("benchmark").asText());
    assertEquals(1.0, sum.get("scores").get("main_score").get("absoluate_Result").doubleValue());
    assertEquals(1.0, sum.get("scores").get("main_score").get("avg_Result_each_section").doubleValue());
    assertEquals("custom-subset", sum.get("scores").get("unsectioned_subsets").get(0).asText());
    assertEquals(0.0, sum.get("errors").get("rate").doubleValue());
    assertEquals(JSON.readTree(JSON.writeValueAsString(run.summary())), sum);
    assertTrue(run.table().contains("Average") && run.table().contains("100.00"), run.table());
  }

  @Test
  void alwaysAOnRmBenchScoresExactlyTheUnswappedCells(@TempDir Path dir) throws Exception {
    RmBench b = RmBench.load(List.of(resource("rm-bench")), Long.MAX_VALUE, BadRecordPolicy.FAIL, false);
    EvalRun run = harness(PromptFormat.REASONING, false, 16, false)
        .run(b, FakeJudges.ALWAYS_A, dir.resolve("s.jsonl"), dir.resolve("sum.json"), ProgressListener.NONE);
    // Independent expectation: a cell is correct iff its chosen response stayed in slot A.
    List<RmBenchScoring.Cell> cells = new ArrayList<>();
    for (Comparison c : b.comparisons()) {
      cells.add(new RmBenchScoring.Cell(c.meta().get(RmBench.DOMAIN), c.meta().get(RmBench.SAMPLE),
          Integer.parseInt(c.meta().get(RmBench.CHOSEN_STYLE)), Integer.parseInt(c.meta().get(RmBench.REJECTED_STYLE)),
          PositionSwap.swapped(SEED, c.id()) ? 0 : 1));
    }
    RmBenchScoring.Score want = RmBenchScoring.score(cells, false);
    JsonNode scores = run.summary().get("scores");
    assertEquals(want.total(), scores.get("total_avg_acc").doubleValue(), 1e-15);
    assertEquals(want.hard(), scores.get("hard_acc").doubleValue(), 1e-15);
    assertEquals(want.domains().get("safety").average(), scores.get("safety").doubleValue(), 1e-15);
    assertFalse(scores.has("math"));
    assertEquals(RmBenchScoring.score(cells, true).total(),
        scores.get("upstream_compat").get("total_avg_acc").doubleValue(), 1e-15);
    // Reasoning format: one user message per prompt.
    assertEquals(1, lines(dir.resolve("s.jsonl")).get(0).get("prompt").size());
    double fracB = run.summary().get("chosen_in_b_fraction").doubleValue();
    assertTrue(fracB > 0 && fracB < 1, "seeded swaps put the chosen response in both slots: " + fracB);
  }

  @Test
  void rmbWithOracleAndAlwaysAIncludingMultiTurnAndBestOfN(@TempDir Path dir) throws Exception {
    Rmb rmb = Rmb.load(List.of(resource("rmb")), Long.MAX_VALUE, BadRecordPolicy.FAIL);
    EvalRun perfect = harness(PromptFormat.INSTRUCT, false, 5, false)
        .run(rmb, FakeJudges.oracle(rmb), dir.resolve("o.jsonl"), dir.resolve("o.json"), ProgressListener.NONE);
    assertEquals(1.0, perfect.summary().get("scores").get("Accuracy Averaged from Four Sections").doubleValue());
    long multiTurnPrompts = lines(dir.resolve("o.jsonl")).stream()
        .filter(s -> s.get("prompt").get(1).get("content").asText()
            .startsWith("[The Start of the Conversation between Chatbot A and the Client]\nUser: "))
        .count();
    assertEquals(4, multiTurnPrompts);

    EvalRun a = harness(PromptFormat.INSTRUCT, false, 5, false)
        .run(rmb, FakeJudges.ALWAYS_A, dir.resolve("a.jsonl"), dir.resolve("a.json"), ProgressListener.NONE);
    List<RmbScoring.Outcome> want = new ArrayList<>();
    for (Comparison c : rmb.comparisons()) {
      want.add(new RmbScoring.Outcome(c.meta().get(Rmb.SPLIT), c.meta().get(Rmb.CATEGORY), c.meta().get(Rmb.GROUP),
          PositionSwap.swapped(SEED, c.id()) ? 0 : 1));
    }
    assertEquals(RmbScoring.score(want).toJson(), a.summary().get("scores"));
  }

  @Test
  void bothOrdersReportsEachOrderAndTheirAverage(@TempDir Path dir) throws Exception {
    RewardBench rb = RewardBench.load(resource("rewardbench/sample.jsonl"), Long.MAX_VALUE, BadRecordPolicy.FAIL);
    EvalRun run = harness(PromptFormat.INSTRUCT, true, 4, false)
        .run(rb, FakeJudges.ALWAYS_A, dir.resolve("s.jsonl"), dir.resolve("sum.json"), ProgressListener.NONE);
    assertEquals(16, run.judged());
    JsonNode scores = run.summary().get("scores");
    assertEquals(1.0, scores.get("chosen_in_a").get("main_score").get("absoluate_Result").doubleValue());
    assertEquals(0.0, scores.get("chosen_in_b").get("main_score").get("absoluate_Result").doubleValue());
    assertEquals(0.5, scores.get("averaged").get("main_score").get("avg_Result_each_section").doubleValue());
    assertEquals(0.5, run.headline().get("Micro"));
    assertEquals(0.5, run.summary().get("chosen_in_b_fraction").doubleValue());
  }

  @Test
  void killedRunResumesToTheSameResultJudgingOnlyWhatIsMissing(@TempDir Path dir) throws Exception {
    RmBench b = RmBench.load(List.of(resource("rm-bench/chat_filtered.json")), Long.MAX_VALUE, BadRecordPolicy.FAIL, false);
    Judge oracle = FakeJudges.oracle(b);
    EvalRun reference = harness(PromptFormat.INSTRUCT, false, 4, false)
        .run(b, oracle, dir.resolve("ref.jsonl"), dir.resolve("ref.json"), ProgressListener.NONE);

    Path log = dir.resolve("s.jsonl");
    Path sum = dir.resolve("sum.json");
    var killed = new FakeJudges.Counting(oracle, 2);
    assertThrows(IllegalStateException.class,
        () -> harness(PromptFormat.INSTRUCT, false, 4, true).run(b, killed, log, sum, ProgressListener.NONE));
    assertEquals(8, Files.readAllLines(log).size());
    assertFalse(Files.exists(sum));

    // A second kill in the middle of writing a line: cut the last line in half.
    byte[] bytes = Files.readAllBytes(log);
    Files.write(log, java.util.Arrays.copyOf(bytes, bytes.length - 40));

    var resumed = new FakeJudges.Counting(oracle, Integer.MAX_VALUE);
    EvalRun run = harness(PromptFormat.INSTRUCT, false, 4, true).run(b, resumed, log, sum, ProgressListener.NONE);
    assertTrue(run.droppedPartialLine());
    assertEquals(7, run.resumed());
    assertEquals(18 - 7, run.judged());
    assertEquals(18 - 7, resumed.judged.get());
    assertEquals(18, Files.readAllLines(log).size());
    assertEquals(reference.summary().get("scores"), run.summary().get("scores"));

    // Nothing left: a further resume judges nothing and gives the same summary.
    var idle = new FakeJudges.Counting(oracle, 0);
    EvalRun again = harness(PromptFormat.INSTRUCT, false, 4, true).run(b, idle, log, sum, ProgressListener.NONE);
    assertEquals(0, again.judged());
    assertEquals(reference.summary().get("scores"), again.summary().get("scores"));

    // Without resume the log is started over.
    harness(PromptFormat.INSTRUCT, false, 4, false).run(b, oracle, log, sum, ProgressListener.NONE);
    assertEquals(18, Files.readAllLines(log).size());
  }

  @Test
  void aLastLineCutInsideAMultiByteCharacterIsDroppedAndACompleteOneKept(@TempDir Path dir) throws Exception {
    RewardBench rb = RewardBench.load(resource("rewardbench/sample.jsonl"), Long.MAX_VALUE, BadRecordPolicy.FAIL);
    Path log = dir.resolve("s.jsonl");
    Judge oracle = FakeJudges.oracle(rb);
    EvalRun reference = harness(PromptFormat.INSTRUCT, false, 8, false)
        .run(rb, oracle, log, dir.resolve("ref.json"), ProgressListener.NONE);
    byte[] full = Files.readAllBytes(log);
    byte[] emoji = "\uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
    int at = indexOf(full, emoji);
    assertTrue(at > 0, "the last record carries an astral character");
    Files.write(log, java.util.Arrays.copyOf(full, at + 2)); // cut inside the 4-byte sequence
    EvalRun run = harness(PromptFormat.INSTRUCT, false, 8, true).run(rb, oracle, log, dir.resolve("s.json"),
        ProgressListener.NONE);
    assertTrue(run.droppedPartialLine());
    assertEquals(1, run.judged());
    assertArrayEquals(full, Files.readAllBytes(log));
    assertEquals(reference.summary().get("scores"), run.summary().get("scores"));

    // A complete last record without its newline is kept (and terminated).
    Files.write(log, java.util.Arrays.copyOf(full, full.length - 1));
    EvalRun kept = harness(PromptFormat.INSTRUCT, false, 8, true).run(rb, oracle, log, dir.resolve("s.json"),
        ProgressListener.NONE);
    assertFalse(kept.droppedPartialLine());
    assertEquals(0, kept.judged());
    assertArrayEquals(full, Files.readAllBytes(log));
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  @Test
  void resumingWithAnotherSeedOrForeignLinesFails(@TempDir Path dir) throws Exception {
    RewardBench rb = RewardBench.load(resource("rewardbench/sample.jsonl"), 4, BadRecordPolicy.FAIL);
    Path log = dir.resolve("s.jsonl");
    harness(PromptFormat.INSTRUCT, false, 4, false).run(rb, FakeJudges.ALWAYS_A, log, dir.resolve("x.json"),
        ProgressListener.NONE);
    var other = new EvalHarness(JudgePrompts.bundled(), new EvalOptions(PromptFormat.INSTRUCT, SEED + 1, false, 4, true));
    var e = assertThrows(DatasetFormatException.class,
        () -> other.run(rb, FakeJudges.ALWAYS_A, log, dir.resolve("x.json"), ProgressListener.NONE));
    assertTrue(e.getMessage().contains("seed"), e.getMessage());

    RewardBench fewer = RewardBench.load(resource("rewardbench/sample.jsonl"), 2, BadRecordPolicy.FAIL);
    e = assertThrows(DatasetFormatException.class, () -> harness(PromptFormat.INSTRUCT, false, 4, true)
        .run(fewer, FakeJudges.ALWAYS_A, log, dir.resolve("x.json"), ProgressListener.NONE));
    assertTrue(e.getMessage().contains("not a judgement of this run"), e.getMessage());

    Files.writeString(log, "{\"id\": \"0\"}\n{}\n", StandardCharsets.UTF_8);
    e = assertThrows(DatasetFormatException.class, () -> harness(PromptFormat.INSTRUCT, false, 4, true)
        .run(rb, FakeJudges.ALWAYS_A, log, dir.resolve("x.json"), ProgressListener.NONE));
    assertEquals(1, e.line());
  }

  @Test
  void aJudgeReturningTheWrongNumberOfGenerationsIsAnError(@TempDir Path dir) throws Exception {
    RewardBench rb = RewardBench.load(resource("rewardbench/sample.jsonl"), 4, BadRecordPolicy.FAIL);
    Judge broken = new Judge() {
      @Override
      public String judge(List<ChatMessage> messages) {
        return "[[A]]";
      }

      @Override
      public List<String> judgeBatch(List<List<ChatMessage>> batch) {
        return List.of("[[A]]");
      }
    };
    var e = assertThrows(IllegalStateException.class, () -> harness(PromptFormat.INSTRUCT, false, 4, false)
        .run(rb, broken, dir.resolve("s.jsonl"), dir.resolve("x.json"), ProgressListener.NONE));
    assertTrue(e.getMessage().contains("1 generations for a batch of 4"), e.getMessage());
  }

  @Test
  void verdictErrorsScoreZeroAndAreCounted(@TempDir Path dir) throws Exception {
    RewardBench rb = RewardBench.load(resource("rewardbench/sample.jsonl"), Long.MAX_VALUE, BadRecordPolicy.FAIL);
    Judge confused = m -> m.get(1).content().contains("2+2") ? "[[A]] or [[B]]" : "no idea";
    EvalRun run = harness(PromptFormat.INSTRUCT, false, 8, false)
        .run(rb, confused, dir.resolve("s.jsonl"), dir.resolve("x.json"), ProgressListener.NONE);
    JsonNode err = run.summary().get("errors");
    assertEquals(1, err.get("both_verdicts").intValue());
    assertEquals(7, err.get("no_verdict").intValue());
    assertEquals(1.0, err.get("rate").doubleValue());
    assertEquals(0.0, run.summary().get("scores").get("main_score").get("absoluate_Result").doubleValue());
  }
}

package dev.rmr1.training.judge;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.tensor.Device;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.PromptFormat;
import dev.rmr1.training.demo.ArithmeticPairs;
import dev.rmr1.training.demo.DemoData;
import dev.rmr1.training.demo.DemoPrompts;
import dev.rmr1.training.demo.DemoTokenizer;
import dev.rmr1.training.eval.EvalHarness;
import dev.rmr1.training.eval.EvalOptions;
import dev.rmr1.training.eval.EvalRun;
import dev.rmr1.training.eval.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real judge end to end: tiny-qwen2-a (random weights, vocab 320) with a 320-id BPE tokenizer trained here. */
class JudgeModelTest {
  @TempDir static Path dir;
  static Path model;
  static Path tokenizer;

  @BeforeAll
  static void files() throws Exception {
    model = Path.of(JudgeModelTest.class.getResource("/dev/rmr1/training/fixtures/tiny-qwen2-a").toURI());
    tokenizer = dir.resolve("tok");
    assertEquals(320, DemoTokenizer.train(2, 320, 120, 99, tokenizer).tokenizer().vocabSize());
  }

  static List<List<ChatMessage>> prompts() {
    List<List<ChatMessage>> out = new ArrayList<>();
    for (var r : DemoData.generate(5, 3, 0, 0, 50, 0.2).sftRecords()) out.add(r.contextMessages());
    return out;
  }

  @Test
  void greedyBatchedJudgementsEqualOneByOneAndStreamTheSameText() {
    try (JudgeModel jm = JudgeModel.open(model, tokenizer, Device.CPU, 12, 2)) {
      List<List<ChatMessage>> ps = prompts();
      List<String> batched = jm.judge().judgeBatch(ps);
      assertEquals(3, batched.size());
      for (int i = 0; i < ps.size(); i++) {
        assertEquals(batched.get(i), jm.judge().judge(ps.get(i)), "row " + i);
        StringBuilder streamed = new StringBuilder();
        assertEquals(batched.get(i), jm.judge().judgeStreaming(ps.get(i), streamed::append));
        assertEquals(batched.get(i), streamed.toString());
      }
    }
  }

  @Test
  void generatorCutsEachRowToItsBudgetAndStreamsOnlyThose() {
    try (JudgeModel jm = JudgeModel.open(model, tokenizer, Device.CPU, 12, 2)) {
      ModelGenerator g = new ModelGenerator(jm.model(), java.util.Set.of(319), 2);
      List<int[]> ps = prompts().stream().map(jm.judge()::promptIds).toList();
      int[] streamed = new int[3];
      List<int[]> out = g.generate(ps, new int[] {3, 7, 1}, (row, id) -> streamed[row]++);
      assertEquals(3, out.size());
      int[] budgets = {3, 7, 1};
      for (int i = 0; i < 3; i++) {
        assertTrue(out.get(i).length >= 1 && out.get(i).length <= budgets[i], "row " + i + ": " + out.get(i).length);
        assertEquals(out.get(i).length, streamed[i]);
        // a row ends early only on eos
        if (out.get(i).length < budgets[i]) assertEquals(319, out.get(i)[out.get(i).length - 1]);
      }
      // greedy: the 3-token row is the start of what a 7-token budget gives the same prompt
      int[] longer = g.generate(List.of(ps.get(0)), new int[] {7}, TokenGenerator.TokenSink.NONE).get(0);
      assertArrayEquals(out.get(0), java.util.Arrays.copyOf(longer, out.get(0).length));
    }
  }

  @Test
  void promptsLongerThanTheContextAreRefusedWithTheNumbers() {
    try (JudgeModel jm = JudgeModel.open(model, tokenizer, Device.CPU, 12, 2)) {
      List<ChatMessage> huge = List.of(ChatMessage.user("1 + 2 = 3. ".repeat(200)));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> jm.judge().judge(huge));
      assertTrue(e.getMessage().contains("context of 256 tokens"), e.getMessage());
    }
  }

  @Test
  void aModelDirectoryWithoutTokenizerNeedsOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JudgeModel.open(model, null, Device.CPU, 4, 1));
    assertTrue(e.getMessage().contains("--tokenizer"), e.getMessage());
  }

  @Test
  void heldOutEvaluationRunsThroughTheHarnessAndResumes(@TempDir Path out) throws Exception {
    List<ArithmeticPairs.Pair> pairs = DemoData.generate(8, 0, 0, 6, 30, 0.2).heldOut();
    EvalHarness h = new EvalHarness(DemoPrompts.prompts(), new EvalOptions(PromptFormat.INSTRUCT, 1, false, 4, true));
    Path log = out.resolve("samples.jsonl");
    try (JudgeModel jm = JudgeModel.open(model, tokenizer, Device.CPU, 8, 4)) {
      EvalRun first = h.run(new dev.rmr1.training.demo.ArithmeticBenchmark(pairs), jm.judge(), log, out.resolve("s.json"), ProgressListener.NONE);
      assertEquals(6, first.judged());
      double acc = first.headline().get("accuracy");
      assertTrue(acc >= 0 && acc <= 1);
      // keep only the first two lines: the rerun judges the other four and gets the same figures (greedy)
      List<String> lines = Files.readAllLines(log);
      Files.write(log, lines.subList(0, 2));
      EvalRun second = h.run(new dev.rmr1.training.demo.ArithmeticBenchmark(pairs), jm.judge(), log, out.resolve("s.json"), ProgressListener.NONE);
      assertEquals(2, second.resumed());
      assertEquals(4, second.judged());
      assertEquals(first.summary().get("scores"), second.summary().get("scores"));
      assertEquals(lines, Files.readAllLines(log));
      assertEquals(6, lines.stream().map(l -> l.substring(0, 30)).distinct().count());
    }
  }
}

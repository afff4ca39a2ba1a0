package dev.rmr1.training.demo;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.PromptFormat;
import dev.rmr1.training.data.RlvrRecord;
import dev.rmr1.training.data.SftRecord;
import dev.rmr1.training.data.Slot;
import dev.rmr1.training.eval.EvalHarness;
import dev.rmr1.training.eval.EvalOptions;
import dev.rmr1.training.eval.EvalRun;
import dev.rmr1.training.eval.Judge;
import dev.rmr1.training.eval.ProgressListener;
import dev.rmr1.training.reward.VerdictReward;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.*;
import net.jqwik.api.constraints.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoDataTest {
  @Property(tries = 20)
  void setsAreReproducibleSizedAndHeldOutQuestionsAreNeverTrainedOn(
      @ForAll @LongRange(min = 0, max = 1000) long seed, @ForAll @IntRange(min = 9, max = 40) int maxOperand) {
    DemoData d = DemoData.generate(seed, 50, 30, 20, maxOperand, 0.2);
    assertEquals(d, DemoData.generate(seed, 50, 30, 20, maxOperand, 0.2));
    assertEquals(50, d.sftPairs().size());
    assertEquals(30, d.grpoPairs().size());
    assertEquals(20, d.heldOut().size());
    Set<String> test = d.heldOut().stream().map(ArithmeticPairs.Pair::question).collect(Collectors.toSet());
    for (ArithmeticPairs.Pair p : d.sftPairs()) assertFalse(test.contains(p.question()), p.question());
    for (ArithmeticPairs.Pair p : d.grpoPairs()) assertFalse(test.contains(p.question()), p.question());
    for (ArithmeticPairs.Pair p : d.heldOut()) assertTrue(DemoData.isHeldOut(seed, p, 0.2));
    assertEquals(20, d.heldOut().stream().map(ArithmeticPairs.Pair::id).distinct().count());
  }

  @Test
  void recordsAlternateTheChosenSlotAndTracesEarnTheRmR1Reward() {
    DemoData d = DemoData.generate(7, 12, 10, 4, 20, 0.2);
    List<SftRecord> sft = d.sftRecords();
    VerdictReward reward = new VerdictReward();
    for (int i = 0; i < sft.size(); i++) {
      SftRecord r = sft.get(i);
      ArithmeticPairs.Pair p = d.sftPairs().get(i);
      Slot winner = i % 2 == 0 ? Slot.A : Slot.B;
      assertEquals(List.of(ChatMessage.system(DemoPrompts.SYSTEM), ChatMessage.user(p.question() + "\nA: "
          + (winner == Slot.A ? p.chosen() : p.rejected()) + "\nB: " + (winner == Slot.A ? p.rejected() : p.chosen()))),
          r.contextMessages());
      assertEquals(1.0, reward.reward(r.trace() + "<|im_end|>", winner.winnerLabel()), r.trace());
      assertEquals(-1.0, reward.reward(r.trace() + "<|im_end|>", winner.other().winnerLabel()), r.trace());
    }
    List<RlvrRecord> rl = d.rlvrRecords();
    for (int i = 0; i < rl.size(); i++) assertEquals(i % 2 == 0 ? Slot.A : Slot.B, rl.get(i).winner());
  }

  @Test
  void tooFewQuestionsIsAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DemoData.generate(1, 10, 10, 500, 1, 0.2));
    assertTrue(e.getMessage().contains("distinct held-out pairs"), e.getMessage());
  }

  @Test
  void heldOutBenchmarkScoresThroughTheEvalHarness(@TempDir Path dir) {
    DemoData d = DemoData.generate(3, 4, 4, 40, 20, 0.2);
    EvalHarness h = new EvalHarness(DemoPrompts.prompts(), new EvalOptions(PromptFormat.INSTRUCT, 11, false, 8, false));
    // an oracle that reads the correct answer off the question, and a judge that always says A
    Judge oracle = m -> {
      String[] lines = m.get(1).content().split("\n");
      String q = lines[0].substring("What is ".length(), lines[0].length() - 1);
      String[] t = q.split(" ");
      int truth = t[1].equals("+") ? Integer.parseInt(t[0]) + Integer.parseInt(t[2]) : Integer.parseInt(t[0]) - Integer.parseInt(t[2]);
      return lines[1].equals("A: " + truth) ? "<answer>[[A]]</answer>" : "<answer>[[B]]</answer>";
    };
    EvalRun run = h.run(d.heldOutBenchmark(), oracle, dir.resolve("o.jsonl"), dir.resolve("o.json"), ProgressListener.NONE);
    assertEquals(1.0, run.headline().get("accuracy"));
    EvalRun alwaysA = h.run(d.heldOutBenchmark(), m -> "<answer>[[A]]</answer>", dir.resolve("a.jsonl"), dir.resolve("a.json"), ProgressListener.NONE);
    double inA = 1 - alwaysA.summary().get("chosen_in_b_fraction").asDouble();
    assertEquals(inA, alwaysA.headline().get("accuracy"), 1e-12);
    assertTrue(inA > 0 && inA < 1, "the seeded swap puts chosen answers in both slots");
    EvalRun none = h.run(d.heldOutBenchmark(), m -> "no verdict", dir.resolve("n.jsonl"), dir.resolve("n.json"), ProgressListener.NONE);
    assertEquals(0.0, none.headline().get("accuracy"));
  }

  @Test
  void corpusHoldsTheConversationsTextWithoutSpecialTokens() {
    List<String> docs = DemoCorpus.documents(5, 10, 20);
    assertEquals(3 + 10 * 3, docs.size());
    assertTrue(docs.contains(DemoPrompts.SYSTEM));
    assertTrue(docs.stream().anyMatch(s -> s.startsWith("<type>Reasoning</type>")));
    assertTrue(docs.stream().noneMatch(s -> s.contains("<|")));
  }
}

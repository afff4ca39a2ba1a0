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

  @Property(tries = 10)
  void operatorsAreThoseAsked(@ForAll @LongRange(min = 0, max = 1000) long seed) {
    DemoData d = DemoData.generate(seed, 40, 20, 20, 99, "+", 0.2);
    for (List<ArithmeticPairs.Pair> set : List.of(d.sftPairs(), d.grpoPairs(), d.heldOut())) {
      for (ArithmeticPairs.Pair p : set) assertEquals('+', p.op(), p.question());
    }
    long subtractions = DemoData.generate(seed, 40, 20, 20, 99, 0.2).sftPairs().stream().filter(p -> p.op() == '-').count();
    assertTrue(subtractions > 0 && subtractions < 40, "the default draws both operators: " + subtractions);
  }

  @Test
  void tracesMixTheTwoChecksInTheAskedProportionReproducibly() {
    DemoData d = DemoData.generate(3, 2000, 0, 1, 99, "+", 0.2);
    for (double f : new double[] {0.0, 0.6, 1.0}) {
      List<SftRecord> sft = d.sftRecords(11, f);
      assertEquals(sft, d.sftRecords(11, f));
      long compare = sft.stream().filter(r -> TeacherTraces.Check.of(r.trace()).orElseThrow() == TeacherTraces.Check.COMPARE).count();
      assertEquals(f, compare / 2000.0, 0.04, "compare fraction " + f);
    }
    assertNotEquals(d.sftRecords(11, 0.5), d.sftRecords(12, 0.5));
    assertEquals(d.sftRecords(0, 1.0), d.sftRecords());
    assertThrows(IllegalArgumentException.class, () -> d.sftRecords(1, 1.5));
  }

  @Test
  void recordsAlternateTheChosenSlotAndTracesEarnTheRmR1Reward() {
    DemoData d = DemoData.generate(7, 12, 10, 4, 20, 0.2);
    List<SftRecord> sft = d.sftRecords(5, 0.5);
    assertEquals(Set.of(TeacherTraces.Check.values()).size(), sft.stream().map(r -> TeacherTraces.Check.of(r.trace()).orElseThrow()).distinct().count());
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

  /** "What is 12 + 7?" -> {"12", "+", "7"}. */
  private static String[] operands(String question) {
    return question.substring("What is ".length(), question.length() - 1).split(" ");
  }

  /** The correct answer of a held-out question line. */
  private static int truth(String question) {
    String[] t = operands(question);
    return t[1].equals("+") ? Integer.parseInt(t[0]) + Integer.parseInt(t[2]) : Integer.parseInt(t[0]) - Integer.parseInt(t[2]);
  }

  @Test
  void heldOutBenchmarkScoresThroughTheEvalHarness(@TempDir Path dir) {
    DemoData d = DemoData.generate(3, 4, 4, 40, 20, 0.2);
    EvalHarness h = new EvalHarness(DemoPrompts.prompts(), new EvalOptions(PromptFormat.INSTRUCT, 11, false, 8, false));
    // an oracle that reads the correct answer off the question, and a judge that always says A
    Judge oracle = m -> {
      String[] lines = m.get(1).content().split("\n");
      return lines[1].equals("A: " + truth(lines[0])) ? "<answer>[[A]]</answer>" : "<answer>[[B]]</answer>";
    };
    EvalRun run = h.run(d.heldOutBenchmark(), oracle, dir.resolve("o.jsonl"), dir.resolve("o.json"), ProgressListener.NONE);
    assertEquals(1.0, run.headline().get("accuracy"));
    EvalRun alwaysA = h.run(d.heldOutBenchmark(), m -> "<answer>[[A]]</answer>", dir.resolve("a.jsonl"), dir.resolve("a.json"), ProgressListener.NONE);
    double inA = 1 - alwaysA.summary().get("chosen_in_b_fraction").asDouble();
    assertEquals(inA, alwaysA.headline().get("accuracy"), 1e-12);
    assertTrue(inA > 0 && inA < 1, "the seeded swap puts chosen answers in both slots");
    EvalRun none = h.run(d.heldOutBenchmark(), m -> "no verdict", dir.resolve("n.jsonl"), dir.resolve("n.json"), ProgressListener.NONE);
    assertEquals(0.0, none.headline().get("accuracy"));
    assertEquals(1.0, none.summary().path("scores").path("checks").path("none").path("fraction").asDouble());
  }

  @Test
  void heldOutSummarySaysWhichCheckTheJudgeUsedAndHowWell(@TempDir Path dir) {
    DemoData d = DemoData.generate(3, 4, 4, 40, 20, 0.2);
    EvalHarness h = new EvalHarness(DemoPrompts.prompts(), new EvalOptions(PromptFormat.INSTRUCT, 11, false, 8, false));
    // last-digit check on questions whose first operand is even (always right), comparison otherwise (always says A)
    Judge judge = m -> {
      String[] lines = m.get(1).content().split("\n");
      if (Integer.parseInt(operands(lines[0])[0]) % 2 == 1) return "<eval>Compare: ...</eval>\n<answer>[[A]]</answer>";
      return "<eval>Last digits: ...</eval>\n" + (lines[1].equals("A: " + truth(lines[0])) ? "<answer>[[A]]</answer>" : "<answer>[[B]]</answer>");
    };
    EvalRun run = h.run(d.heldOutBenchmark(), judge, dir.resolve("j.jsonl"), dir.resolve("j.json"), ProgressListener.NONE);
    var checks = run.summary().path("scores").path("checks");
    long even = d.heldOut().stream().filter(p -> p.a() % 2 == 0).count();
    assertTrue(even > 0 && even < 40, "both kinds of question: " + even);
    assertEquals(even / 40.0, checks.path("last_digits").path("fraction").asDouble(), 1e-12);
    assertEquals(1.0, checks.path("last_digits").path("accuracy").asDouble());
    assertEquals(1 - even / 40.0, checks.path("compare").path("fraction").asDouble(), 1e-12);
    assertEquals(0.0, checks.path("none").path("fraction").asDouble());
    double compareRight = checks.path("compare").path("accuracy").asDouble();
    assertEquals(run.headline().get("accuracy"), (even + compareRight * (40 - even)) / 40.0, 1e-12);
  }

  @Test
  void corpusHoldsTheConversationsTextWithoutSpecialTokens() {
    List<String> docs = DemoCorpus.documents(5, 10, 20);
    assertEquals(10 * 6, docs.size());
    assertTrue(docs.contains(DemoPrompts.SYSTEM));
    assertEquals(10, docs.stream().filter("assistant\n"::equals).count(), "a role line per conversation, so that role names merge");
    assertTrue(docs.stream().anyMatch(s -> s.startsWith("<type>Reasoning</type>")));
    for (TeacherTraces.Check c : TeacherTraces.Check.values()) assertTrue(docs.stream().anyMatch(s -> s.contains(c.marker())), c.name());
    assertTrue(docs.stream().noneMatch(s -> s.contains("<|")));
  }
}

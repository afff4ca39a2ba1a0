package dev.rmr1.training.demo;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.training.reward.VerdictReward;
import net.jqwik.api.*;
import org.junit.jupiter.api.Test;

class RolloutCensusTest {
  @Property(tries = 50)
  void rewardIsRmR1sRuleUnchanged(@ForAll("responses") String response, @ForAll boolean labelA) {
    String label = labelA ? "model_a" : "model_b";
    assertEquals(new VerdictReward().reward(response, label), new RolloutCensus().reward(response, label));
  }

  @Provide
  Arbitrary<String> responses() {
    Arbitrary<String> pad = Arbitraries.strings().withChars("ab <>[]").ofMaxLength(120);
    Arbitrary<String> tag = Arbitraries.of("", "<answer>[[A]]</answer>", "<answer>[[B]]</answer>", "<answer>[[A]]</answer><answer>[[B]]</answer>");
    Arbitrary<String> eval = Arbitraries.of("", "<eval>Compare: A: 5 vs 5</eval>", "<eval>Last digits: A: 5-5=0</eval>");
    return Combinators.combine(eval, pad, tag, pad).as((e, p, t, q) -> e + p + t + q + "<|im_end|>");
  }

  @Test
  void countsReadableVerdictsAndLastDigitChecksPerStep() {
    RolloutCensus c = new RolloutCensus();
    c.reward("<eval>Last digits: A: 5-5=0. B: 6-5=1.</eval>\n<answer>[[A]]</answer><|im_end|>", "model_a");
    c.reward("<eval>Compare: A: 5 vs 5, correct.</eval>\n<answer>[[B]]</answer><|im_end|>", "model_a");
    c.reward("<eval>Last digits: A: 5-5=0.</eval>\n<answer>[[A]]</answer><answer>[[B]]</answer>", "model_b"); // both tags: no verdict
    c.reward("<eval>Last digits: A: 5-5=0.</eval>\n<answer>[[A]]</answer>" + "x".repeat(80), "model_a"); // tag outside the tail
    RolloutCensus.Counts k = c.take();
    assertEquals(new RolloutCensus.Counts(4, 2, 3), k);
    assertEquals(0.5, k.verdictFraction());
    assertEquals(0.75, k.lastDigitFraction());
    assertEquals(new RolloutCensus.Counts(0, 0, 0), c.take(), "take() starts the next step's counts");
    assertEquals(0.0, c.take().verdictFraction());
  }
}

package dev.rmr1.training.reward;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.training.data.PromptFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormatRewardTest {
  private static final FormatReward INSTRUCT = new FormatReward(PromptFormat.INSTRUCT, "<|im_end|>");
  private static final FormatReward REASONING = new FormatReward(PromptFormat.REASONING, "<｜end▁of▁sentence｜>");

  private static final String REASONING_COR = "<type>Reasoning</type>\n\n<solution> x = 2 </solution>\n\n<eval>\n"
      + "<quote_A>x=2</quote_A> is right; <summary_B>says 3</summary_B>\n</eval>\n\n<answer>[[A]]</answer>";
  private static final String CHAT_COR = "<type>Chat</type>\n\n<rubric>\n1. Helpfulness (60%)\n<justify>why</justify>\n"
      + "</rubric>\n\n<eval>\n<quote_B>...</quote_B>\n</eval>\n\n<answer>[[B]]</answer>";

  @Test
  void wellFormedChainOfRubricsOutputs() {
    assertEquals(1.0, INSTRUCT.reward(REASONING_COR, "model_b")); // the label is not used
    assertEquals(1.0, INSTRUCT.reward(CHAT_COR + "<|im_end|>", "model_a"));
    assertEquals(1.0, INSTRUCT.reward("  " + CHAT_COR + "\n<|im_end|>\n", "model_a"));
  }

  @Test
  void malformedInstructOutputsScoreZero() {
    for (String bad : List.of(
        CHAT_COR.replace("<justify>why</justify>", ""),
        REASONING_COR.replace("<solution> x = 2 </solution>", ""),
        REASONING_COR.replace("<type>Reasoning</type>", "<type>Chat</type>"),
        CHAT_COR + "</answer>",
        CHAT_COR.replace("<answer>[[B]]</answer>", "<answer>[[A]]</answer> <answer>[[B]]</answer>"),
        CHAT_COR.replace("[[B]]", "[[C]]"),
        CHAT_COR.replace("</eval>\n\n", "</eval>\nmore text\n"),
        CHAT_COR.replace("</eval>", "</eval><eval>again</eval>"),
        "Preamble. " + CHAT_COR,
        "")) {
      assertEquals(0.0, INSTRUCT.reward(bad, "model_a"), bad);
    }
  }

  @Test
  void reasoningFormatNeedsOneThinkCloseBeforeTheVerdict() {
    assertEquals(1.0, REASONING.reward("Let me think...\n</think>\n\nSummary.\n<answer>[[A]]</answer><｜end▁of▁sentence｜>", "x"));
    assertEquals(0.0, REASONING.reward("No think block. <answer>[[A]]</answer>", "x"));
    assertEquals(0.0, REASONING.reward("a</think>b</think><answer>[[A]]</answer>", "x"));
    assertEquals(0.0, REASONING.reward("a</think> <answer>[[A]]</answer> trailing", "x"));
  }

  @Test
  void weightedSumCombinesRewards() {
    var sum = new WeightedSumReward(List.of(
        new WeightedSumReward.Term(1.0, new VerdictReward()), new WeightedSumReward.Term(0.5, INSTRUCT)));
    assertEquals(1.5, sum.reward(CHAT_COR, "model_b"));
    assertEquals(-0.5, sum.reward(CHAT_COR, "model_a"));
    assertEquals(-1.0, sum.reward("nothing", "model_a"));
    assertThrows(IllegalArgumentException.class, () -> new WeightedSumReward(List.of()));
    assertThrows(IllegalArgumentException.class, () -> new WeightedSumReward.Term(Double.NaN, INSTRUCT));
  }
}

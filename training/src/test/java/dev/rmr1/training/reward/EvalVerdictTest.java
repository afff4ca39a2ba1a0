package dev.rmr1.training.reward;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.training.data.Slot;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EvalVerdictTest {
  @Test
  void bareVerdictAnywhereInTheGenerationCounts() {
    assertEquals(EvalVerdict.A, EvalVerdict.parse("<think>long</think> so <answer>[[A]]</answer>"));
    assertEquals(EvalVerdict.B, EvalVerdict.parse("[[B]] right at the start, then text without a tag"));
    assertEquals(EvalVerdict.B, EvalVerdict.parse("thinking [[B]]... </think> <answer>B</answer>"));
    assertEquals(EvalVerdict.ERROR_BOTH, EvalVerdict.parse("<think>maybe [[A]]</think><answer>[[B]]</answer>"));
    assertEquals(EvalVerdict.ERROR_NONE, EvalVerdict.parse("<answer>A</answer> [[C]] [A] [[ A ]]"));
  }

  @Test
  void scoring() {
    assertEquals(1, EvalVerdict.A.score(Slot.A));
    assertEquals(0, EvalVerdict.A.score(Slot.B));
    assertEquals(1, EvalVerdict.B.score(Slot.B));
    assertEquals(0, EvalVerdict.ERROR_BOTH.score(Slot.A));
    assertEquals(0, EvalVerdict.ERROR_NONE.score(Slot.B));
    assertTrue(EvalVerdict.ERROR_NONE.isError());
    assertFalse(EvalVerdict.B.isError());
    assertEquals(Optional.empty(), EvalVerdict.ERROR_BOTH.slot());
    assertEquals(Optional.of(Slot.A), EvalVerdict.A.slot());
  }
}

package dev.rmr1.training.reward;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The unit tests spec 3 lists for the training reward (and the evaluation parser where they differ). */
class VerdictRewardTest {
  private static final VerdictReward R = new VerdictReward();
  private static final String A = "<answer>[[A]]</answer>"; // 22 chars
  private static final String B = "<answer>[[B]]</answer>";
  private static final String IM_END = "<|im_end|>";
  private static final String DS_EOS = "<｜end▁of▁sentence｜>";

  @Test
  void eosTextsHaveTheLengthsOfTheSpec() {
    assertEquals(10, IM_END.codePointCount(0, IM_END.length()));
    assertEquals(19, DS_EOS.codePointCount(0, DS_EOS.length()));
  }

  @Test
  void tagInTheTail() {
    String s = "x".repeat(500) + "<eval>...</eval>\n\n" + A + IM_END;
    assertEquals(1.0, R.reward(s, "model_a"));
    assertEquals(-1.0, R.reward(s, "model_b"));
  }

  @Test
  void tagJustOutsideTheEightyCharacterWindow() {
    String inside = "x".repeat(100) + A + "y".repeat(80 - 22);
    String outside = "x".repeat(100) + A + "y".repeat(80 - 22 + 1);
    assertEquals(1.0, R.reward(inside, "model_a"));
    assertEquals(-1.0, R.reward(outside, "model_a"));
  }

  @Test
  void bothTagsGiveMinusOneForEitherLabel() {
    String s = "pre " + B + " then " + A;
    assertEquals(-1.0, R.reward(s, "model_a"));
    assertEquals(-1.0, R.reward(s, "model_b"));
    assertEquals(EvalVerdict.ERROR_BOTH, EvalVerdict.parse(s));
  }

  @Test
  void eosTextCountsInTheWindow() {
    // 22 + 48 = 70 chars: inside without eos, pushed out by the 19-char DeepSeek eos (and in with Qwen's 10).
    String body = "x".repeat(30) + B + "z".repeat(48);
    assertEquals(1.0, R.reward(body, "model_b"));
    assertEquals(1.0, R.reward(body + IM_END, "model_b"));
    assertEquals(-1.0, R.reward(body + DS_EOS, "model_b"));
    // A truncated generation (no eos) with the verdict cut off gets -1.
    assertEquals(-1.0, R.reward("<type>Chat</type> ... <answer>[[", "model_b"));
  }

  @Test
  void astralCharactersCountAsOneCharacterLikePython() {
    String astral = "\uD83D\uDE00"; // U+1F600, two UTF-16 units
    String s = "head " + A + astral.repeat(58); // 22 + 58 = 80 code points, 138 UTF-16 units
    assertEquals(1.0, R.reward(s, "model_a"));
    assertEquals(-1.0, R.reward(s + "!", "model_a"));
    assertEquals(astral.repeat(3), VerdictReward.lastCodePoints("ab" + astral.repeat(3), 3));
    assertEquals("ab", VerdictReward.lastCodePoints("ab", 80));
  }

  @Test
  void quotedBareVerdictIsAnEvalErrorButATrainingReward() {
    String s = "<eval>Chatbot B wrote \"my verdict is [[B]]\" which is wrong.</eval>\n\n" + A + IM_END;
    assertEquals(EvalVerdict.ERROR_BOTH, EvalVerdict.parse(s));
    assertEquals(1.0, R.reward(s, "model_a"));
  }

  @Test
  void unknownLabelIsAnError() {
    var e = assertThrows(IllegalArgumentException.class, () -> R.reward(A, "model_c"));
    assertTrue(e.getMessage().contains("model_c"));
    assertThrows(IllegalArgumentException.class, () -> R.reward(A, "A"));
    assertThrows(IllegalArgumentException.class, () -> R.reward(A, null));
  }

  @Test
  void missingTagGivesMinusOne() {
    assertEquals(-1.0, R.reward("I think A is better." + IM_END, "model_a"));
    assertEquals(-1.0, R.reward("", "model_a"));
  }

  @Provide
  Arbitrary<String> responses() {
    Arbitrary<String> piece = Arbitraries.oneOf(
        Arbitraries.of(A, B, "[[A]]", "[[B]]", IM_END, DS_EOS, "\uD83D\uDE00", "é", "\n"),
        Arbitraries.strings().ofMinLength(0).ofMaxLength(30));
    return piece.list().ofMaxSize(12).map(l -> String.join("", l));
  }

  @Property(tries = 300)
  void matchesAPythonStyleReferenceAndNeverRewardsBothLabels(@ForAll("responses") String s) {
    int[] cps = s.codePoints().toArray();
    int[] last = Arrays.copyOfRange(cps, Math.max(0, cps.length - 80), cps.length);
    String tail = new String(last, 0, last.length);
    double ra = tail.contains(A) && !tail.contains(B) ? 1 : -1;
    double rb = tail.contains(B) && !tail.contains(A) ? 1 : -1;
    assertEquals(ra, R.reward(s, "model_a"));
    assertEquals(rb, R.reward(s, "model_b"));
    assertFalse(ra == 1 && rb == 1);
  }
}

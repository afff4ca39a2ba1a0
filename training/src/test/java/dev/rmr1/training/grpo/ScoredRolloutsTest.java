package dev.rmr1.training.grpo;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.training.reward.VerdictReward;
import dev.rmr1.training.sft.TokenCodec;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ScoredRolloutsTest {
  /** Characters as ids; id 0 is the eos token {@code <|im_end|>}. */
  static final TokenCodec CHARS = new TokenCodec() {
    @Override
    public int[] encode(String text) {
      return text.chars().map(c -> c + 1).toArray();
    }

    @Override
    public String decode(int[] ids) {
      StringBuilder sb = new StringBuilder();
      for (int id : ids) sb.append(id == 0 ? "<|im_end|>" : String.valueOf((char) (id - 1)));
      return sb.toString();
    }
  };

  static int[] withEos(String s, String after) {
    int[] a = CHARS.encode(s), b = CHARS.encode(after);
    int[] out = new int[a.length + 1 + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length + 1, b.length);
    return out;
  }

  @Property(tries = 200)
  void completionIsCutAfterTheFirstEos(@ForAll @Size(max = 20) List<@IntRange(min = 0, max = 4) Integer> generated) {
    int[] g = generated.stream().mapToInt(Integer::intValue).toArray();
    Completion c = Completion.of(g, 0, 3);
    int first = -1;
    for (int i = 0; i < g.length && first < 0; i++) if (g[i] == 0 || g[i] == 3) first = i;
    assertEquals(first >= 0, c.terminated());
    assertEquals(first >= 0 ? first + 1 : g.length, c.length());
    for (int i = 0; i < c.length(); i++) assertEquals(g[i], c.token(i));
  }

  @Test
  void rewardReadsTheDecodedResponseThroughTheFirstEos() {
    // prompt 0 labelled model_a, prompt 1 labelled model_b; G = 3
    List<int[]> prompts = List.of(new int[] {7, 8}, new int[] {9});
    List<Completion> cs = new ArrayList<>();
    cs.add(Completion.of(withEos("ok <answer>[[A]]</answer>", "junk <answer>[[B]]</answer>"), 0)); // +1: text after eos is cut
    cs.add(Completion.of(CHARS.encode("<answer>[[A]]</answer> no eos"), 0)); // clipped, still in the tail: +1
    cs.add(Completion.of(withEos("<answer>[[B]]</answer>", ""), 0)); // -1
    cs.add(Completion.of(withEos("<answer>[[B]]</answer>", ""), 0)); // +1
    cs.add(Completion.of(withEos("<answer>[[B]]</answer>" + "x".repeat(80), ""), 0)); // tag outside the last 80: -1
    cs.add(Completion.of(withEos("<answer>[[A]]</answer><answer>[[B]]</answer>", ""), 0)); // both: -1
    ScoredRollouts s = ScoredRollouts.score(prompts, List.of("model_a", "model_b"), 3, cs, CHARS, new VerdictReward(), true);
    assertArrayEquals(new double[] {1, 1, -1, 1, -1, -1}, s.rewards());
    assertEquals("ok <answer>[[A]]</answer><|im_end|>", s.texts().get(0));
    // group 0: two of three correct; unbiased std of {1, 1, -1} = sqrt(4/3)
    double std = Math.sqrt(4.0 / 3);
    assertEquals((1 - 1.0 / 3) / (std + 1e-6), s.advantages()[0], 1e-12);
    assertEquals((-1 - 1.0 / 3) / (std + 1e-6), s.advantages()[2], 1e-12);
    assertEquals((1 + 1.0 / 3) / (std + 1e-6), s.advantages()[3], 1e-12);
    assertArrayEquals(prompts.get(1), s.promptOf(4));
    assertEquals(0.0, s.rewardStats().fracZeroStdGroups());

    CompletionStats st = s.completionStats();
    assertEquals(1.0 / 6, st.clippedRatio(), 1e-12);
    int[] lens = cs.stream().mapToInt(Completion::length).toArray();
    assertEquals(java.util.Arrays.stream(lens).min().getAsInt(), st.minLength());
    assertEquals(java.util.Arrays.stream(lens).max().getAsInt(), st.maxLength());
    assertEquals(java.util.Arrays.stream(lens).average().getAsDouble(), st.meanLength(), 1e-12);
    double term = (java.util.Arrays.stream(lens).sum() - lens[1]) / 5.0;
    assertEquals(term, st.meanTerminatedLength(), 1e-12);

    ScoredRollouts noStd = ScoredRollouts.score(prompts, List.of("model_a", "model_b"), 3, cs, CHARS, new VerdictReward(), false);
    assertEquals(1 - 1.0 / 3, noStd.advantages()[0], 1e-12);
    assertThrows(IllegalArgumentException.class,
        () -> ScoredRollouts.score(prompts, List.of("model_a"), 3, cs, CHARS, new VerdictReward(), true));
    assertThrows(IllegalArgumentException.class,
        () -> ScoredRollouts.score(prompts, List.of("model_a", "model_c"), 3, cs, CHARS, new VerdictReward(), true));
  }
}

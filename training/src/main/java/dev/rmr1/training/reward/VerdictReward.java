package dev.rmr1.training.reward;

import dev.rmr1.training.data.Slot;

/**
 * The RM-R1 training reward (spec 3.1; {@code rm_r1/verl/utils/reward_score/lm_as_judge.py}): take the last 80
 * characters of the decoded response (code points, as Python counts, eos text included when generation stopped);
 * the reward is +1 iff they contain {@code <answer>[[X]]</answer>} for the labelled slot X and do not contain the
 * other slot's tag, otherwise -1. A missing tag, both tags, a tag outside the tail or a truncated response all give
 * -1. A label other than {@code model_a} / {@code model_b} is an error.
 */
public final class VerdictReward implements RewardFunction {
  /** The tail length of RM-R1's rule. */
  public static final int TAIL_CODE_POINTS = 80;

  private final int tailCodePoints;

  public VerdictReward() {
    this(TAIL_CODE_POINTS);
  }

  public VerdictReward(int tailCodePoints) {
    if (tailCodePoints <= 0) throw new IllegalArgumentException("tailCodePoints must be > 0, got " + tailCodePoints);
    this.tailCodePoints = tailCodePoints;
  }

  /** {@code <answer>[[A]]</answer>} or {@code <answer>[[B]]</answer>}. */
  public static String answerTag(Slot slot) {
    return "<answer>[[" + slot.name() + "]]</answer>";
  }

  @Override
  public double reward(String response, String label) {
    Slot want = Slot.fromWinnerLabel(label);
    String tail = lastCodePoints(response, tailCodePoints);
    return tail.contains(answerTag(want)) && !tail.contains(answerTag(want.other())) ? 1.0 : -1.0;
  }

  /** Python {@code s[-n:]}: the last {@code n} code points (the whole string if shorter). */
  public static String lastCodePoints(String s, int n) {
    int total = s.codePointCount(0, s.length());
    if (total <= n) return s;
    return s.substring(s.offsetByCodePoints(s.length(), -n));
  }
}

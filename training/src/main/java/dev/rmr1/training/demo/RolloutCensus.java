package dev.rmr1.training.demo;

import dev.rmr1.training.data.Slot;
import dev.rmr1.training.reward.RewardFunction;
import dev.rmr1.training.reward.VerdictReward;
import java.util.Optional;

/**
 * RM-R1's reward ({@link VerdictReward}, unchanged) that also counts what the rollouts it scores look like, so that
 * the demo's log shows why the reward moves: how many responses end with a verdict the rule can read (exactly one
 * {@code <answer>[[X]]</answer>} in the last 80 characters) and how many check the answers by last digits
 * ({@link TeacherTraces.Check}). {@link #take} returns the counts since the previous call.
 */
final class RolloutCensus implements RewardFunction {
  /** The counts of one GRPO step's rollouts. */
  record Counts(int responses, int withVerdict, int lastDigits) {
    double verdictFraction() {
      return responses == 0 ? 0 : withVerdict / (double) responses;
    }

    double lastDigitFraction() {
      return responses == 0 ? 0 : lastDigits / (double) responses;
    }
  }

  private final VerdictReward rule = new VerdictReward();
  private int responses, withVerdict, lastDigits;

  @Override
  public double reward(String response, String label) {
    responses++;
    String tail = VerdictReward.lastCodePoints(response, VerdictReward.TAIL_CODE_POINTS);
    if (tail.contains(VerdictReward.answerTag(Slot.A)) != tail.contains(VerdictReward.answerTag(Slot.B))) withVerdict++;
    Optional<TeacherTraces.Check> check = TeacherTraces.Check.of(response);
    if (check.isPresent() && check.get() == TeacherTraces.Check.LAST_DIGITS) lastDigits++;
    return rule.reward(response, label);
  }

  Counts take() {
    Counts c = new Counts(responses, withVerdict, lastDigits);
    responses = withVerdict = lastDigits = 0;
    return c;
  }
}

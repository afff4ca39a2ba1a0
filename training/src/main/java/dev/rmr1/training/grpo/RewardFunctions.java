package dev.rmr1.training.grpo;

import dev.rmr1.training.data.PromptFormat;
import dev.rmr1.training.reward.FormatReward;
import dev.rmr1.training.reward.RewardFunction;
import dev.rmr1.training.reward.VerdictReward;
import dev.rmr1.training.reward.WeightedSumReward;
import java.util.List;

/**
 * The reward functions selectable by name ({@code grpo.reward}): {@code rm_r1} (the +1/-1 verdict rule, spec 3.1),
 * {@code format_instruct} / {@code format_reasoning} (the 0/1 output-shape rule of {@link FormatReward}), and
 * {@code rm_r1+format_instruct} / {@code rm_r1+format_reasoning} (their sum). Other rules plug in through
 * {@link GrpoTrainer}'s constructor.
 */
public final class RewardFunctions {
  public static final List<String> NAMES = List.of("rm_r1", "format_instruct", "format_reasoning", "rm_r1+format_instruct",
      "rm_r1+format_reasoning");

  private RewardFunctions() {}

  /** @param eosText the decoded eos token (the format rule strips it) */
  public static RewardFunction byName(String name, String eosText) {
    return switch (name) {
      case "rm_r1" -> new VerdictReward();
      case "format_instruct" -> new FormatReward(PromptFormat.INSTRUCT, eosText);
      case "format_reasoning" -> new FormatReward(PromptFormat.REASONING, eosText);
      case "rm_r1+format_instruct", "rm_r1+format_reasoning" -> new WeightedSumReward(List.of(new WeightedSumReward.Term(1, new VerdictReward()),
          new WeightedSumReward.Term(1, byName(name.substring("rm_r1+".length()), eosText))));
      default -> throw new IllegalArgumentException("grpo.reward: unknown reward function '" + name + "'; expected one of " + NAMES);
    };
  }
}

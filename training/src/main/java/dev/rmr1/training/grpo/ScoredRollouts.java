package dev.rmr1.training.grpo;

import dev.rmr1.training.reward.GrpoAdvantages;
import dev.rmr1.training.reward.RewardFunction;
import dev.rmr1.training.reward.RewardStats;
import dev.rmr1.training.sft.TokenCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * The responses of one rollout batch with their rewards and advantages (spec 6, "Reward and advantage"): P prompts,
 * each sampled G times, response {@code i} belonging to prompt {@code i / G};
 * {@code r_i = R(decode_keep_special(o_i), label)} on the response through its first eos, and group-normalised
 * advantages {@code (r - mean_g) / (std_g + 1e-6)} (unbiased std), or {@code r - mean_g} without the std.
 */
public record ScoredRollouts(List<int[]> prompts, int groupSize, List<Completion> completions, List<String> texts, double[] rewards,
    double[] advantages) {

  public ScoredRollouts {
    prompts = List.copyOf(prompts);
    completions = List.copyOf(completions);
    texts = List.copyOf(texts);
    if (completions.size() != prompts.size() * groupSize)
      throw new IllegalArgumentException(completions.size() + " completions for " + prompts.size() + " prompts x " + groupSize);
    if (texts.size() != completions.size() || rewards.length != completions.size() || advantages.length != completions.size())
      throw new IllegalArgumentException("texts, rewards and advantages must have one entry per completion");
  }

  /**
   * Decodes and scores {@code completions} (grouped by prompt, G consecutive per prompt).
   *
   * @param labels one label per prompt (the RLVR winner, {@code model_a} / {@code model_b})
   */
  public static ScoredRollouts score(List<int[]> prompts, List<String> labels, int groupSize, List<Completion> completions,
      TokenCodec codec, RewardFunction reward, boolean normalizeByStd) {
    if (labels.size() != prompts.size()) throw new IllegalArgumentException(labels.size() + " labels for " + prompts.size() + " prompts");
    if (groupSize < 1) throw new IllegalArgumentException("group size " + groupSize);
    if (completions.size() != prompts.size() * groupSize)
      throw new IllegalArgumentException(completions.size() + " completions for " + prompts.size() + " prompts x " + groupSize);
    List<String> texts = new ArrayList<>(completions.size());
    double[] rewards = new double[completions.size()];
    for (int i = 0; i < completions.size(); i++) {
      String text = codec.decode(completions.get(i).tokens());
      texts.add(text);
      rewards[i] = reward.reward(text, labels.get(i / groupSize));
      if (!Double.isFinite(rewards[i])) throw new IllegalStateException("reward of response " + i + " is " + rewards[i]);
    }
    double[] adv = GrpoAdvantages.computeContiguous(rewards, groupSize, normalizeByStd);
    return new ScoredRollouts(prompts, groupSize, completions, texts, rewards, adv);
  }

  public int size() {
    return completions.size();
  }

  /** The prompt ids of response {@code i}. */
  public int[] promptOf(int i) {
    return prompts.get(i / groupSize);
  }

  public RewardStats rewardStats() {
    return RewardStats.of(rewards, GrpoAdvantages.contiguousGroups(rewards.length, groupSize));
  }

  public CompletionStats completionStats() {
    return CompletionStats.of(completions);
  }
}

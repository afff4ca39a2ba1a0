package dev.rmr1.training.reward;

import java.util.List;

/** {@code sum_k w_k * R_k(response, label)}: combines reward functions, e.g. verdict + 0.5 * format. */
public final class WeightedSumReward implements RewardFunction {
  /** One weighted term. */
  public record Term(double weight, RewardFunction function) {
    public Term {
      if (!Double.isFinite(weight)) throw new IllegalArgumentException("weight must be finite, got " + weight);
      if (function == null) throw new IllegalArgumentException("function is null");
    }
  }

  private final List<Term> terms;

  public WeightedSumReward(List<Term> terms) {
    if (terms.isEmpty()) throw new IllegalArgumentException("no reward terms");
    this.terms = List.copyOf(terms);
  }

  @Override
  public double reward(String response, String label) {
    double sum = 0;
    for (Term t : terms) sum += t.weight() * t.function().reward(response, label);
    return sum;
  }
}

package dev.rmr1.training.demo;

import dev.rmr1.tensor.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's verifiable preference task: a small arithmetic question with one correct and one incorrect candidate
 * answer. The wrong answer is a near miss, off by one to three, so the judge must actually work the problem out: the
 * two candidates are always close, and they always differ in the last digit.
 */
public final class ArithmeticPairs {
  /** A preference pair: question, the correct (chosen) and an incorrect (rejected) answer. */
  public record Pair(String id, String question, int a, int b, char op, int answer, String chosen, String rejected) {}

  /** The largest distance of the wrong answer from the right one (below 10, so the last digits differ). */
  static final int MAX_MISS = 3;

  private ArithmeticPairs() {}

  /**
   * {@code count} pairs drawn from {@code seed}; operands in [0, maxOperand], each question's operator drawn from
   * {@code operators} ("+", "-" or "+-"); a subtraction never goes below 0.
   */
  public static List<Pair> generate(long seed, int count, int maxOperand, String operators) {
    if (operators.isEmpty() || !operators.chars().allMatch(c -> c == '+' || c == '-'))
      throw new IllegalArgumentException("operators must be made of '+' and '-', got '" + operators + "'");
    Rng rng = new Rng(seed);
    List<Pair> pairs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int a = rng.nextInt(maxOperand + 1), b = rng.nextInt(maxOperand + 1);
      char op = operators.charAt(rng.nextInt(operators.length()));
      if (op == '-' && b > a) {
        int t = a;
        a = b;
        b = t;
      }
      int answer = op == '+' ? a + b : a - b;
      int wrong;
      do {
        int delta = 1 + rng.nextInt(MAX_MISS);
        wrong = rng.nextInt(2) == 0 ? answer + delta : answer - delta;
      } while (wrong < 0);
      String question = "What is " + a + " " + op + " " + b + "?";
      pairs.add(new Pair(seed + "-" + i, question, a, b, op, answer, String.valueOf(answer), String.valueOf(wrong)));
    }
    return pairs;
  }
}

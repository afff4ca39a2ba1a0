package dev.rmr1.training.demo;

import dev.rmr1.tensor.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's verifiable preference task: a small arithmetic question with one correct and one
 * incorrect candidate answer. The wrong answer is a near miss (off by one to three, or a digit
 * slip), so the judge must actually solve the problem to tell them apart.
 */
public final class ArithmeticPairs {
  /** A preference pair: question, the correct (chosen) and an incorrect (rejected) answer. */
  public record Pair(String id, String question, int a, int b, char op, int answer, String chosen, String rejected) {}

  private ArithmeticPairs() {}

  /** {@code count} pairs drawn from {@code seed}; operands in [0, maxOperand]. */
  public static List<Pair> generate(long seed, int count, int maxOperand) {
    Rng rng = new Rng(seed);
    List<Pair> pairs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int a = rng.nextInt(maxOperand + 1), b = rng.nextInt(maxOperand + 1);
      char op = rng.nextInt(2) == 0 ? '+' : '-';
      if (op == '-' && b > a) {
        int t = a;
        a = b;
        b = t;
      }
      int answer = op == '+' ? a + b : a - b;
      int wrong;
      do {
        int delta = 1 + rng.nextInt(3);
        wrong = rng.nextInt(2) == 0 ? answer + delta : answer - delta;
      } while (wrong < 0 || wrong == answer);
      String question = "What is " + a + " " + op + " " + b + "?";
      pairs.add(new Pair(seed + "-" + i, question, a, b, op, answer, String.valueOf(answer), String.valueOf(wrong)));
    }
    return pairs;
  }
}

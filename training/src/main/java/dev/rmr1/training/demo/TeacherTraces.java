package dev.rmr1.training.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Teacher reasoning traces in RM-R1's Chain-of-Rubrics format for a reasoning task (spec 2.3):
 * {@code <type>Reasoning</type>}, the judge's own {@code <solution>}, an {@code <eval>} that checks both answers against
 * it (a compact form of RM-R1's {@code <quote_A>}/{@code <summary_A>} items, to keep the demo's sequences short), and
 * the verdict {@code <answer>[[X]]</answer>}. The demo's SFT stage distils these; they are written by program because
 * the task is verifiable.
 *
 * <p>The solution works column by column from the units, as on paper ({@code 47 + 38}: {@code 7+8=15, 4+3+1=8, so 85}),
 * so that every step is a one-digit fact: the held-out questions are new, but the column facts they need all occur in
 * training.
 *
 * <p>The teacher checks the answers in one of two equally valid ways ({@link Check}): by comparing whole numbers with
 * its result, or by subtracting last digits. Both always reach the right verdict; which one a small student can
 * actually carry out is what GRPO's reward finds out (a tiny model does not learn to compare multi-digit numbers in
 * the demo's budget, but it does learn the one-digit subtraction facts).
 */
public final class TeacherTraces {
  private TeacherTraces() {}

  /** How the {@code <eval>} checks the two answers against the solution; each opens with its own marker. */
  public enum Check {
    /** {@code Compare: A: 85 vs 85, correct. B: 86 vs 85, wrong.}: each whole answer beside the result. */
    COMPARE("Compare:"),
    /**
     * {@code Last digits: A: 5-5=0. B: 6-5=1.}: the last digit of each answer minus the result's, borrowing a ten
     * when smaller ({@code 13-5=8}); 0 exactly for the correct answer, since the wrong one is off by one to three.
     */
    LAST_DIGITS("Last digits:");

    private final String marker;

    Check(String marker) {
      this.marker = marker;
    }

    public String marker() {
      return marker;
    }

    /** The check a generation's {@code <eval>} uses, if it opens with one of the markers. */
    public static Optional<Check> of(String generation) {
      for (Check c : values()) if (generation.contains("<eval>" + c.marker)) return Optional.of(c);
      return Optional.empty();
    }
  }

  /** The trace for a pair whose chosen answer sits in slot A ({@code chosenInA}) or B, checked the teacher's usual way. */
  public static String trace(ArithmeticPairs.Pair p, boolean chosenInA) {
    return trace(p, chosenInA, Check.COMPARE);
  }

  /** The trace for a pair whose chosen answer sits in slot A ({@code chosenInA}) or B, checked the {@code check} way. */
  public static String trace(ArithmeticPairs.Pair p, boolean chosenInA, Check check) {
    String a = chosenInA ? p.chosen() : p.rejected();
    String b = chosenInA ? p.rejected() : p.chosen();
    String result = String.valueOf(p.answer());
    String gradeA = chosenInA ? "correct" : "wrong", gradeB = chosenInA ? "wrong" : "correct";
    String eval = switch (check) {
      case COMPARE -> " A: " + a + " vs " + result + ", " + gradeA + ". B: " + b + " vs " + result + ", " + gradeB + ".";
      case LAST_DIGITS -> " A: " + lastDigitCheck(a, result) + ". B: " + lastDigitCheck(b, result) + ".";
    };
    return "<type>Reasoning</type>\n"
        + "<solution>" + solution(p.a(), p.op(), p.b()) + "</solution>\n"
        + "<eval>" + check.marker() + eval + "</eval>\n"
        + "<answer>[[" + (chosenInA ? 'A' : 'B') + "]]</answer>";
  }

  /** {@code answer}'s last digit minus {@code result}'s, with a borrowed ten when it is smaller: {@code 6-5=1}, {@code 11-5=6}. */
  static String lastDigitCheck(String answer, String result) {
    int x = answer.charAt(answer.length() - 1) - '0', y = result.charAt(result.length() - 1) - '0';
    return (x < y ? "1" + x : String.valueOf(x)) + "-" + y + "=" + Math.floorMod(x - y, 10);
  }

  /**
   * Column arithmetic of {@code a op b} ({@code a >= b >= 0} for '-'): one step per digit of the longer operand, the
   * carry (or borrow) of the previous column written as a third term, then the result. A borrowing column is written
   * with the borrowed ten ({@code 13-5=8}).
   */
  static String solution(int a, char op, int b) {
    if (a < 0 || b < 0 || (op == '-' && b > a) || (op != '+' && op != '-'))
      throw new IllegalArgumentException("column arithmetic needs non-negative operands and b <= a for '-', got " + a + " " + op + " " + b);
    List<String> steps = new ArrayList<>();
    int carry = 0;
    for (int x = a, y = b, column = 0; column == 0 || x > 0 || y > 0; x /= 10, y /= 10, column++) {
      int dx = x % 10, dy = y % 10;
      String carried = column == 0 ? "" : op + String.valueOf(carry);
      if (op == '+') {
        int s = dx + dy + carry;
        steps.add(dx + "+" + dy + carried + "=" + s);
        carry = s / 10;
      } else {
        int d = dx - dy - carry;
        int borrow = d < 0 ? 1 : 0;
        steps.add((borrow == 1 ? "1" + dx : String.valueOf(dx)) + "-" + dy + carried + "=" + (d + 10 * borrow));
        carry = borrow;
      }
    }
    return String.join(", ", steps) + ", so " + (op == '+' ? a + b : a - b);
  }
}

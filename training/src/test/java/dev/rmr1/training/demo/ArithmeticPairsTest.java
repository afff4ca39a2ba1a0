package dev.rmr1.training.demo;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.*;
import net.jqwik.api.constraints.*;
import org.junit.jupiter.api.Test;

class ArithmeticPairsTest {
  @Property(tries = 50)
  void pairsAreVerifiableReproducibleNearMisses(@ForAll long seed, @ForAll @IntRange(min = 1, max = 99) int maxOperand,
      @ForAll("operators") String operators) {
    List<ArithmeticPairs.Pair> pairs = ArithmeticPairs.generate(seed, 30, maxOperand, operators);
    assertEquals(pairs, ArithmeticPairs.generate(seed, 30, maxOperand, operators));
    for (ArithmeticPairs.Pair p : pairs) {
      assertTrue(operators.indexOf(p.op()) >= 0, p.question());
      assertTrue(p.a() >= 0 && p.b() >= 0 && p.a() <= maxOperand && p.b() <= maxOperand, p.question());
      int truth = p.op() == '+' ? p.a() + p.b() : p.a() - p.b();
      assertTrue(truth >= 0, p.question());
      assertEquals(String.valueOf(truth), p.chosen());
      int wrong = Integer.parseInt(p.rejected());
      assertTrue(wrong >= 0 && wrong != truth && Math.abs(wrong - truth) <= ArithmeticPairs.MAX_MISS, p.question() + " " + wrong);
      // the last-digit check relies on this
      assertNotEquals(p.chosen().charAt(p.chosen().length() - 1), p.rejected().charAt(p.rejected().length() - 1));
    }
  }

  @Provide
  Arbitrary<String> operators() {
    return Arbitraries.of("+", "-", "+-");
  }

  @Test
  void badOperatorsAreAClearError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArithmeticPairs.generate(1, 3, 9, "*"));
    assertTrue(e.getMessage().contains("operators"), e.getMessage());
  }

  private static final Pattern ADD = Pattern.compile("(\\d)\\+(\\d)(?:\\+(\\d))?=(\\d+)");
  private static final Pattern SUB = Pattern.compile("(1?)(\\d)-(\\d)(?:-(\\d))?=(\\d)");

  /** Every column step against the digits of the operands, the carries chained, and the result, for random operands. */
  @Property(tries = 300)
  void columnSolutionStepsAreTheDigitFactsOfTheOperands(@ForAll @IntRange(min = 0, max = 99999) int x, @ForAll @IntRange(min = 0, max = 99999) int y,
      @ForAll boolean add) {
    int a = add ? x : Math.max(x, y), b = add ? y : Math.min(x, y);
    String s = TeacherTraces.solution(a, add ? '+' : '-', b);
    String[] parts = s.split(", ");
    assertEquals("so " + (add ? a + b : a - b), parts[parts.length - 1], s);
    int columns = String.valueOf(Math.max(a, b)).length();
    assertEquals(columns, parts.length - 1, s);
    int carry = 0;
    for (int k = 0; k < columns; k++) {
      int dx = (int) (a / Math.pow(10, k)) % 10, dy = (int) (b / Math.pow(10, k)) % 10;
      Matcher m = (add ? ADD : SUB).matcher(parts[k]);
      assertTrue(m.matches(), parts[k] + " in " + s);
      if (add) {
        assertEquals(List.of(dx, dy), List.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))), s);
        assertEquals(k == 0 ? null : String.valueOf(carry), m.group(3), s);
        int sum = dx + dy + carry;
        assertEquals(sum, Integer.parseInt(m.group(4)), s);
        carry = sum / 10;
      } else {
        int d = dx - dy - carry, borrow = d < 0 ? 1 : 0;
        assertEquals(borrow == 1 ? "1" : "", m.group(1), s);
        assertEquals(List.of(dx, dy), List.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))), s);
        assertEquals(k == 0 ? null : String.valueOf(carry), m.group(4), s);
        assertEquals(d + 10 * borrow, Integer.parseInt(m.group(5)), s);
        carry = borrow;
      }
    }
    if (!add) assertEquals(0, carry, s); // b <= a: the top column never borrows
  }

  @Test
  void columnArithmeticRejectsNegativeResults() {
    assertThrows(IllegalArgumentException.class, () -> TeacherTraces.solution(3, '-', 5));
    assertThrows(IllegalArgumentException.class, () -> TeacherTraces.solution(3, '*', 5));
  }

  @Property(tries = 100)
  void bothChecksGradeTheAnswersAndEndInTheVerdict(@ForAll long seed, @ForAll("operators") String operators, @ForAll boolean inA,
      @ForAll TeacherTraces.Check check) {
    ArithmeticPairs.Pair p = ArithmeticPairs.generate(seed, 1, 99, operators).get(0);
    String t = TeacherTraces.trace(p, inA, check);
    assertTrue(t.startsWith("<type>Reasoning</type>\n<solution>"), t);
    assertTrue(t.endsWith("<answer>[[" + (inA ? 'A' : 'B') + "]]</answer>"), t);
    assertTrue(t.contains(", so " + p.answer() + "</solution>"), t);
    assertEquals(Optional.of(check), TeacherTraces.Check.of(t));
    String a = inA ? p.chosen() : p.rejected(), b = inA ? p.rejected() : p.chosen();
    String eval = t.substring(t.indexOf("<eval>"), t.indexOf("</eval>"));
    switch (check) {
      case COMPARE -> {
        assertTrue(eval.contains("A: " + a + " vs " + p.answer() + ", " + (inA ? "correct" : "wrong") + "."), eval);
        assertTrue(eval.contains("B: " + b + " vs " + p.answer() + ", " + (inA ? "wrong" : "correct") + "."), eval);
      }
      case LAST_DIGITS -> {
        // "x-y=d" or "1x-y=d": d is the last digit of (answer - result), 0 only for the correct answer
        Matcher m = Pattern.compile("A: (1?)(\\d)-(\\d)=(\\d)\\. B: (1?)(\\d)-(\\d)=(\\d)\\.").matcher(eval);
        assertTrue(m.find(), eval);
        int last = p.answer() % 10;
        assertEquals(List.of(a.charAt(a.length() - 1) - '0', last, b.charAt(b.length() - 1) - '0', last),
            List.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(6)), Integer.parseInt(m.group(7))), eval);
        assertEquals(inA, m.group(4).equals("0"), eval);
        assertEquals(!inA, m.group(8).equals("0"), eval);
        assertEquals(Integer.parseInt(m.group(2)) < last, m.group(1).equals("1"), eval);
        assertEquals(Math.floorMod(Integer.parseInt(m.group(6)) - last, 10), Integer.parseInt(m.group(8)), eval);
      }
    }
  }

  @Test
  void theCheckOfAGenerationIsReadFromItsEvalMarker() {
    assertEquals(Optional.of(TeacherTraces.Check.LAST_DIGITS), TeacherTraces.Check.of("<solution>..</solution>\n<eval>Last digits: A: 5-5=0."));
    assertEquals(Optional.of(TeacherTraces.Check.COMPARE), TeacherTraces.Check.of("x<eval>Compare: A: 5 vs 5"));
    assertEquals(Optional.empty(), TeacherTraces.Check.of("<eval>A: 5 is correct</eval> Last digits:"));
  }
}

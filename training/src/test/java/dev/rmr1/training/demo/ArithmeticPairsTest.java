package dev.rmr1.training.demo;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import net.jqwik.api.*;
import net.jqwik.api.constraints.*;

class ArithmeticPairsTest {
  @Property(tries = 50)
  void pairsAreVerifiableAndReproducible(@ForAll long seed, @ForAll @IntRange(min = 1, max = 99) int maxOperand) {
    List<ArithmeticPairs.Pair> pairs = ArithmeticPairs.generate(seed, 30, maxOperand);
    assertEquals(pairs, ArithmeticPairs.generate(seed, 30, maxOperand));
    for (ArithmeticPairs.Pair p : pairs) {
      int truth = p.op() == '+' ? p.a() + p.b() : p.a() - p.b();
      assertEquals(String.valueOf(truth), p.chosen());
      assertNotEquals(p.chosen(), p.rejected());
      assertTrue(Integer.parseInt(p.rejected()) >= 0);
      assertTrue(Math.abs(Integer.parseInt(p.rejected()) - truth) <= 3);
      for (boolean inA : new boolean[] {true, false}) {
        String t = TeacherTraces.trace(p, inA);
        assertTrue(t.endsWith("<answer>[[" + (inA ? 'A' : 'B') + "]]</answer>"), t);
        assertTrue(t.contains("= " + truth + "</solution>"), t);
      }
    }
  }
}

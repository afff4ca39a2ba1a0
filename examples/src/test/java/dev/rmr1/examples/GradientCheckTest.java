package dev.rmr1.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.*;
import net.jqwik.api.constraints.*;
import org.junit.jupiter.api.Test;

class GradientCheckTest {
  @Property(tries = 15)
  void correctBackwardsAgreeWithFiniteDifferences(
      @ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 6) int cols, @ForAll long seed) {
    Rng rng = new Rng(seed);
    Tensor x = Tensor.normal(Device.CPU, DType.F64, rng, 0, 1, rows, cols);
    assertTrue(GradientCheck.maxError(v -> v.softmax(-1), x, rng) < 1e-6);
    assertTrue(GradientCheck.maxError(Var::tanh, x, rng) < 1e-6);
  }

  @Test
  void aWrongBackwardIsCaught() {
    Rng rng = new Rng(3);
    Tensor x = Tensor.normal(Device.CPU, DType.F64, rng, 0, 1, 2, 3);
    assertTrue(GradientCheck.maxError(v -> v.mul(v.detach()), x, rng) > 0.1);
  }

  @Test
  void mainReportsOkForRealOpsAndMismatchForTheBrokenOne() {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      GradientCheck.main(new String[] {"1"});
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertTrue(out.lines().filter(l -> l.endsWith("OK")).count() == 4, out);
    assertTrue(out.lines().filter(l -> l.contains("wrong on purpose")).allMatch(l -> l.endsWith("MISMATCH")), out);
  }
}

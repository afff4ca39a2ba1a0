package dev.rmr1.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamWTest {
  static Tensor f64(double... v) {
    return Tensor.of(Device.CPU, DType.F64, v, v.length);
  }

  /** With zero gradients Adam's step is 0/(0 + eps) = 0, so only the decoupled decay moves a parameter. */
  @Test
  void decoupledDecayAppliesOnlyToTheDecayGroup() {
    try (TestParam w = new TestParam("layer.weight", Tensor.of(Device.CPU, DType.F64, new double[] {1, -2, 3, 4}, 2, 2));
        TestParam b = new TestParam("layer.bias", f64(5, -6));
        AdamW opt = new AdamW(ParamGroups.decayAndNoDecay(List.of(w, b), 0.1, 0.5))) {
      w.setGrad(Tensor.zeros(DType.F64, 2, 2));
      b.setGrad(Tensor.zeros(DType.F64, 2));
      opt.step();
      double f = 1 - 0.1 * 0.5;
      assertArrayEquals(new double[] {1 * f, -2 * f, 3 * f, 4 * f}, w.value().toDoubleArray(), 0);
      assertArrayEquals(new double[] {5, -6}, b.value().toDoubleArray(), 0);
    }
  }

  /** First AdamW step by hand: m_hat = g, v_hat = g^2, so p -= lr * g / (|g| + eps) after the decay. */
  @Test
  void firstStepByHand() {
    try (TestParam p = new TestParam("p", f64(0.5, -0.25, 2.0)); AdamW opt = new AdamW(List.of(new ParamGroup("g", List.of(p), 0.01, 0.1)))) {
      p.setGrad(f64(3.0, -1e-3, 0.0));
      opt.step();
      double d = 1 - 0.01 * 0.1;
      double[] want = {0.5 * d - 0.01 * 3.0 / (3.0 + 1e-8), -0.25 * d + 0.01 * 1e-3 / (1e-3 + 1e-8), 2.0 * d};
      assertArrayEquals(want, p.value().toDoubleArray(), 1e-15);
      try (Tensor m = opt.expAvg("p"); Tensor v = opt.expAvgSq("p")) {
        assertArrayEquals(new double[] {0.3, -1e-4, 0}, m.toDoubleArray(), 1e-16);
        assertArrayEquals(new double[] {0.009, 1e-9, 0}, v.toDoubleArray(), 1e-17);
      }
    }
  }

  @Test
  void parameterWithoutGradientIsUntouchedAndKeepsItsStep() {
    try (TestParam a = new TestParam("a", f64(1, 2)); TestParam b = new TestParam("b", f64(3, 4));
        AdamW opt = new AdamW(List.of(new ParamGroup("g", List.of(a, b), 0.1, 0.1)))) {
      a.setGrad(f64(1, 1));
      opt.step();
      opt.step();
      assertArrayEquals(new double[] {3, 4}, b.value().toDoubleArray(), 0);
      assertEquals(2, opt.paramStep("a"));
      assertEquals(0, opt.paramStep("b"));
      assertEquals(2, opt.stepCount());
      b.setGrad(f64(1, 1));
      opt.step();
      assertEquals(1, opt.paramStep("b"));
    }
  }

  /** Warmup gives the first step learning rate 0: the moments advance, the parameters do not move. */
  @Test
  void scheduleScalesEachGroupsLearningRate() {
    try (TestParam a = new TestParam("a", f64(1, 2)); TestParam b = new TestParam("b", f64(3, 4));
        AdamW opt = new AdamW(List.of(new ParamGroup("x", List.of(a), 0.1, 0.0), new ParamGroup("y", List.of(b), 0.02, 0.0)))) {
      opt.setSchedule(LrSchedule.linearWithWarmup(2, 10));
      assertEquals(0.0, opt.lr(0));
      a.setGrad(f64(1, -1));
      b.setGrad(f64(1, -1));
      opt.step();
      assertArrayEquals(new double[] {1, 2}, a.value().toDoubleArray(), 0);
      assertEquals(1, opt.paramStep("a"));
      assertEquals(0.05, opt.lr(0), 1e-17);
      assertEquals(0.01, opt.lr(1), 1e-17);
      opt.step();
      // m_hat / sqrt(v_hat) = sign(g) at a constant gradient, so the step is -lr * sign(g) (eps aside).
      assertArrayEquals(new double[] {1 - 0.05, 2 + 0.05}, a.value().toDoubleArray(), 1e-9);
      assertArrayEquals(new double[] {3 - 0.01, 4 + 0.01}, b.value().toDoubleArray(), 1e-9);
    }
  }

  @Test
  void rejectsBadConfiguration() {
    try (TestParam bf = new TestParam("frozen", Tensor.zeros(DType.BF16, 2)); TestParam p = new TestParam("p", Tensor.zeros(DType.F32, 2));
        TestParam q = new TestParam("p", Tensor.zeros(DType.F32, 2))) {
      var e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(new ParamGroup("g", List.of(bf), 0.1, 0))));
      assertTrue(e.getMessage().contains("frozen") && e.getMessage().contains("BF16"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(new ParamGroup("g", List.of(p, q), 0.1, 0))));
      assertTrue(e.getMessage().contains("two parameters are named 'p'"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(new ParamGroup("g", List.of(p), 0.1, 0),
          new ParamGroup("h", List.of(p), 0.1, 0))));
      assertTrue(e.getMessage().contains("more than one group"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(new ParamGroup("g", List.of(p), 0.1, 0)), 1.0, 0.999, 1e-8));
      assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(new ParamGroup("g", List.of(p), 0.1, 0)), 0.9, -0.1, 1e-8));
      assertThrows(IllegalArgumentException.class, () -> new ParamGroup("g", List.of(p), -1, 0));
      assertThrows(IllegalArgumentException.class, () -> new ParamGroup("g", List.of(p), 0.1, Double.NaN));
    }
  }

  @Test
  void gradientOfTheWrongShapeIsNamed() {
    try (TestParam p = new TestParam("layer.weight", Tensor.zeros(DType.F32, 2, 3));
        AdamW opt = new AdamW(List.of(new ParamGroup("g", List.of(p), 0.1, 0)))) {
      p.setGrad(Tensor.zeros(DType.F32, 3, 2));
      var e = assertThrows(IllegalArgumentException.class, opt::step);
      assertTrue(e.getMessage().contains("layer.weight") && e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }
  }

  /** State made inside a TensorScope dies with it; step() says what went wrong. */
  @Test
  @SuppressWarnings("try")
  void optimizerBuiltInsideAScopeFailsClearly() {
    try (TestParam p = new TestParam("p", Tensor.zeros(DType.F32, 2))) {
      AdamW opt;
      try (TensorScope scope = TensorScope.open()) {
        opt = new AdamW(List.of(new ParamGroup("g", List.of(p), 0.1, 0)));
      }
      p.setGrad(Tensor.ones(DType.F32, 2));
      var e = assertThrows(IllegalStateException.class, opt::step);
      assertTrue(e.getMessage().contains("outside any TensorScope"), e.getMessage());
      opt.close();
    }
  }

  @Test
  void closedOptimizerRefusesToStep() {
    try (TestParam p = new TestParam("p", Tensor.zeros(DType.F32, 2))) {
      AdamW opt = new AdamW(List.of(new ParamGroup("g", List.of(p), 0.1, 0)));
      opt.close();
      opt.close();
      assertThrows(IllegalStateException.class, opt::step);
      assertFalse(p.value().isClosed(), "closing the optimizer must not close parameters");
    }
  }
}

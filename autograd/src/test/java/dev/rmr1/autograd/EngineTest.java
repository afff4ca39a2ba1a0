package dev.rmr1.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.cpu.NativeMemory;
import org.junit.jupiter.api.Test;

/** The backward engine: accumulation, graph lifetime, gradient modes and memory. */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class EngineTest {

  @Test
  void sharedSubexpressionsSumTheirGradients() {
    try (TensorScope s = TensorScope.open()) {
      Var x = Var.leaf(Tensor.of(new double[] {2, 3}, 2));
      Var y = x.mul(x);            // x^2
      Var z = y.add(y).mul(x);     // 2x^3
      z.sum().backward();
      assertArrayEquals(new double[] {24, 54}, x.grad().toDoubleArray(), 1e-12); // 6x^2
      x.clearGrad();
    }
  }

  /**
   * Gradients that share storage (both inputs of an add get views of one buffer, the parts of a
   * cat are views of one buffer) are neither kept as each other's leaf gradient nor summed in
   * place; a fresh gradient is kept without a copy.
   */
  @Test
  void gradientsSharingStorageAreNeverAliasedOrUpdatedInPlace() {
    try (TensorScope s = TensorScope.open()) {
      Var a = Var.leaf(Tensor.of(new double[] {1, 2}, 2)), b = Var.leaf(Tensor.of(new double[] {3, 4}, 2));
      a.add(b).mul(Var.constant(Tensor.of(new double[] {5, 7}, 2))).sum().backward();
      assertArrayEquals(new double[] {5, 7}, a.grad().toDoubleArray());
      a.grad().fill(0);
      assertArrayEquals(new double[] {5, 7}, b.grad().toDoubleArray(), "b's gradient is not a's storage");

      Var x = Var.leaf(Tensor.of(new double[] {1, 2}, 2));
      Var u = x.mul(Var.constant(Tensor.of(new double[] {2, 3}, 2)));
      Var.cat(0, java.util.List.of(u, u, u.exp())).mul(Var.constant(Tensor.of(new double[] {1, 10, 100, 1000, 0, 0}, 6))).sum().backward();
      // d/dx of sum(w1 u + w2 u) with u = c x: c (w1 + w2)
      assertArrayEquals(new double[] {2 * 101, 3 * 1010}, x.grad().toDoubleArray(), 1e-12);
    }
  }

  @Test
  void gradientsAccumulateAcrossBackwardCallsOutsideTheStepScope() {
    Var w = Var.leaf(Tensor.of(new double[] {1, 2}, 2));
    for (int step = 0; step < 3; step++) {
      try (TensorScope s = TensorScope.open()) {
        w.mul(w).sum().backward();
      }
      // the gradient survives the scope of the step that produced it
      assertArrayEquals(new double[] {2 * (step + 1), 4 * (step + 1)}, w.grad().toDoubleArray(), 1e-12);
    }
    w.zeroGrad();
    assertArrayEquals(new double[] {0, 0}, w.grad().toDoubleArray());
    w.clearGrad();
    assertNull(w.grad());
    w.data().close();
  }

  @Test
  void graphIsFreedAfterBackwardUnlessRetained() {
    try (TensorScope s = TensorScope.open()) {
      Var x = Var.leaf(Tensor.of(new double[] {1, 2}, 2));
      Var loss = x.exp().sum();
      try (Tensor one = Tensor.scalar(Device.CPU, DType.F64, 1)) {
        loss.backward(one, true);
        loss.backward(one, false);
        assertArrayEquals(new double[] {2 * Math.E, 2 * Math.exp(2)}, x.grad().toDoubleArray(), 1e-12);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loss.backward(one));
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
      }
      x.clearGrad();
    }
  }

  @Test
  void noGradBuildsNoGraphAndDetachStopsGradients() {
    try (TensorScope s = TensorScope.open()) {
      Var x = Var.leaf(Tensor.of(new double[] {1, 2}, 2));
      try (Grad.Guard g = Grad.disabled()) {
        Var y = x.mul(x);
        assertFalse(y.requiresGrad());
        assertTrue(y.isLeaf());
        try (Grad.Guard on = Grad.enabled()) {
          assertTrue(x.mul(x).requiresGrad());
        }
        assertFalse(Grad.isEnabled());
      }
      assertTrue(Grad.isEnabled());
      Var z = x.mul(x.detach());
      z.sum().backward();
      assertArrayEquals(new double[] {1, 2}, x.grad().toDoubleArray());
      x.clearGrad();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.detach().sum().backward());
      assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }
  }

  @Test
  void badCallsFailClearly() {
    try (TensorScope s = TensorScope.open()) {
      Var x = Var.leaf(Tensor.of(new double[] {1, 2}, 2));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.mul(x).backward());
      assertTrue(e.getMessage().contains("one-element"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> x.mul(x).backward(Tensor.zeros(DType.F64, 3)));
      assertTrue(e.getMessage().contains("does not match"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> x.mul(x).setRequiresGrad(false));
      assertThrows(IllegalArgumentException.class, () -> Var.leaf(Tensor.ofLongs(new long[] {1}, 1)));
    }
  }

  @Test
  void backwardOfALeafAccumulatesTheSeed() {
    try (TensorScope s = TensorScope.open()) {
      Var x = Var.leaf(Tensor.of(new double[] {1, 2}, 2));
      x.backward(Tensor.of(new double[] {3, 4}, 2));
      assertArrayEquals(new double[] {3, 4}, x.grad().toDoubleArray());
      x.clearGrad();
    }
  }

  @Test
  void deepChainsDoNotOverflowTheStack() {
    try (TensorScope s = TensorScope.open()) {
      Var x = Var.leaf(Tensor.of(new double[] {1}, 1));
      Var y = x;
      for (int i = 0; i < 20_000; i++) y = y.mul(1.0001);
      y.sum().backward();
      assertEquals(Math.pow(1.0001, 20_000), x.grad().item(), 1e-9);
      x.clearGrad();
    }
  }

  @Test
  void thousandTrainingStepsKeepNativeMemoryFlat() {
    Rng rng = new Rng(1);
    Var w1 = Var.leaf(Tensor.uniform(Device.CPU, DType.F32, rng, -1, 1, 8, 6));
    Var w2 = Var.leaf(Tensor.uniform(Device.CPU, DType.F32, rng, -1, 1, 5, 8));
    Var norm = Var.leaf(Tensor.ones(DType.F32, 6));
    Tensor x = Tensor.uniform(Device.CPU, DType.F32, rng, -1, 1, 2, 3, 6);
    Tensor targets = Tensor.ofLongs(new long[] {0, 4, -100, 2, 1, 3}, 2, 3);
    Runnable step = () -> {
      try (TensorScope scope = TensorScope.open()) {
        Var h = Var.constant(x).rmsNorm(norm, 1e-6);
        Var hidden = Checkpoint.apply(v -> v.matmul(w1.transpose(0, 1)).silu(), h);
        Var q = hidden.reshape(2, 1, 3, 8);
        Var att = Var.attention(q, q, q, 0.3);
        Var logits = att.reshape(2, 3, 8).matmul(w2.transpose(0, 1));
        logits.crossEntropy(targets).backward();
        // an SGD update; the gradients persist in place across steps
        for (Var p : new Var[] {w1, w2, norm}) {
          p.data().subInPlace(p.grad().mul(1e-3));
          p.zeroGrad();
        }
      }
    };
    for (int i = 0; i < 20; i++) step.run();
    long before = NativeMemory.liveBytes();
    for (int i = 0; i < 1000; i++) step.run();
    assertEquals(before, NativeMemory.liveBytes(), "native memory grew over 1,000 training steps");
    for (Var v : new Var[] {w1, w2, norm}) {
      v.clearGrad();
      v.data().close();
    }
    x.close();
    targets.close();
  }
}

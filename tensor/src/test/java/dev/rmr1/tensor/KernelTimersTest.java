package dev.rmr1.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.KernelTimers.Kernel;
import org.junit.jupiter.api.Test;

/** The primitive timers count what the backend runs while enabled, and nothing while disabled. */
class KernelTimersTest {
  @Test
  void countsCallsOfEachPrimitiveOnlyWhileEnabled() {
    boolean was = KernelTimers.enabled();
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.ones(DType.F32, 8, 8);
      KernelTimers.setEnabled(false);
      KernelTimers.reset();
      a.matmul(a);
      assertEquals(0, KernelTimers.snapshot().get(Kernel.MATMUL).calls());

      KernelTimers.setEnabled(true);
      a.matmul(a);
      a.matmul(a).add(a);
      var t = KernelTimers.snapshot();
      assertEquals(2, t.get(Kernel.MATMUL).calls());
      assertTrue(t.get(Kernel.MATMUL).nanos() > 0);
      assertEquals(1, t.get(Kernel.BINARY).calls());
      assertEquals(3, t.get(Kernel.ALLOCATE).calls(), "two products and a sum");
      assertEquals(0, t.get(Kernel.SOFTMAX).calls());

      KernelTimers.reset();
      assertEquals(0, KernelTimers.snapshot().get(Kernel.MATMUL).calls());
      assertEquals(0, KernelTimers.snapshot().get(Kernel.MATMUL).nanos());
    } finally {
      KernelTimers.setEnabled(was);
      KernelTimers.reset();
    }
  }
}

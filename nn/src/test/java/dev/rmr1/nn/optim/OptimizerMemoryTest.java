package dev.rmr1.nn.optim;

import static dev.rmr1.nn.optim.OptimTesting.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.cpu.NativeMemory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Steps allocate only temporaries inside their scopes: native memory is flat over 1,000 steps. */
class OptimizerMemoryTest {
  private static List<TestParam> params(Rng rng) {
    List<TestParam> ps = new ArrayList<>();
    ps.add(new TestParam("dense", gaussian(DType.F32, rng, 1.0, 64, 33))); // fused AdamW kernel
    ps.add(new TestParam("f64", gaussian(DType.F64, rng, 1.0, 5, 3))); // composed ops
    try (Tensor base = gaussian(DType.F32, rng, 1.0, 4, 6)) {
      ps.add(new TestParam("strided", base.transpose(0, 1))); // composed ops on a view
    }
    ps.add(new TestParam("bias", gaussian(DType.F32, rng, 1.0, 6)));
    for (TestParam p : ps) p.setGrad(gaussian(p.value().dtype(), rng, 1.0, p.value().shape()));
    return ps;
  }

  @Test
  void nativeMemoryIsFlatOverAThousandSteps() {
    Rng rng = new Rng(3);
    List<TestParam> a = params(rng), s = params(rng);
    try (AdamW adam = new AdamW(ParamGroups.decayAndNoDecay(a, 1e-3, 0.01));
        Sgd sgd = new Sgd(ParamGroups.decayAndNoDecay(s, 1e-3, 0.01), 0.9, 0, true)) {
      adam.setSchedule(LrSchedule.cosineWithMinLr(10, 1000, 0.1));
      oneStep(adam, sgd, a, s);
      long before = NativeMemory.liveBytes();
      for (int i = 0; i < 1000; i++) oneStep(adam, sgd, a, s);
      assertEquals(before, NativeMemory.liveBytes(), "native bytes leaked over 1,000 optimizer steps");
    } finally {
      a.forEach(TestParam::close);
      s.forEach(TestParam::close);
    }
  }

  /** As a training loop calls it: inside the caller's step scope, with clipping (always active here). */
  @SuppressWarnings("try")
  private static void oneStep(AdamW adam, Sgd sgd, List<TestParam> a, List<TestParam> s) {
    try (TensorScope step = TensorScope.open()) {
      GradClip.clipGradNorm(a, 1e-3);
      GradClip.clipGradNorm(s, 1e-3);
      adam.step();
      sgd.step();
    }
  }
}

package dev.rmr1.nn.optim;

import static dev.rmr1.nn.optim.OptimTesting.gaussian;
import static dev.rmr1.nn.optim.OptimTesting.maxAbs;
import static dev.rmr1.nn.optim.OptimTesting.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;

/** SGD against a plain double-precision SGD. */
class SgdProperties {
  @Provide
  Arbitrary<DType> dtypes() {
    return Arbitraries.of(DType.F32, DType.F64);
  }

  @Provide
  Arbitrary<Double> momenta() {
    return Arbitraries.of(0.0, 0.5, 0.9);
  }

  @Provide
  Arbitrary<Double> dampenings() {
    return Arbitraries.of(0.0, 0.1, 0.5);
  }

  @Provide
  Arbitrary<Double> weightDecays() {
    return Arbitraries.of(0.0, 0.01, 0.1);
  }

  @Property(tries = 60)
  void matchesDoublePrecisionReference(@ForAll("dtypes") DType dtype, @ForAll @IntRange(min = 0, max = 6) int rows,
      @ForAll @IntRange(min = 1, max = 7) int cols, @ForAll @IntRange(min = 1, max = 30) int steps,
      @ForAll @DoubleRange(min = 1e-4, max = 0.1) @Scale(6) double lr, @ForAll("weightDecays") double wd,
      @ForAll("momenta") double momentum, @ForAll("dampenings") double dampening, @ForAll boolean nesterov, @ForAll long seed) {
    if (nesterov && (momentum == 0 || dampening != 0)) dampening = 0;
    if (nesterov && momentum == 0) momentum = 0.9;
    Rng rng = new Rng(seed);
    try (TestParam pw = new TestParam("w", gaussian(dtype, rng, 1.0, rows, cols)); TestParam pb = new TestParam("b", gaussian(dtype, rng, 1.0, cols));
        Sgd opt = new Sgd(List.of(new ParamGroup("a", List.of(pw), lr, wd), new ParamGroup("b", List.of(pb), 2 * lr, 0.0)), momentum, dampening, nesterov)) {
      List<TestParam> params = List.of(pw, pb);
      double[] lrs = {lr, 2 * lr}, wds = {wd, 0};
      ScalarSgd[] ref = new ScalarSgd[2];
      for (int k = 0; k < 2; k++) ref[k] = new ScalarSgd(params.get(k).value().toDoubleArray(), momentum, dampening, nesterov);
      for (int s = 0; s < steps; s++) {
        for (int k = 0; k < 2; k++) {
          Tensor g = gaussian(dtype, rng, 1.0, params.get(k).value().shape());
          ref[k].step(g.toDoubleArray(), lrs[k], wds[k]);
          params.get(k).setGrad(g);
        }
        opt.step();
      }
      for (int k = 0; k < 2; k++) {
        double[] want = ref[k].p;
        double unit = dtype == DType.F32 ? 0x1p-23 : 0x1p-51;
        // Momentum sums up to 1/(1 - momentum) gradients of size about 1.
        double tol = steps * unit * (2 * maxAbs(want) + 40 * lr * steps);
        double err = maxAbsDiff(params.get(k).value().toDoubleArray(), want);
        assertTrue(err <= tol, params.get(k).name() + " " + dtype + ": error " + err + " > tolerance " + tol);
      }
    }
  }

  /** PyTorch starts the momentum buffer at the first gradient itself: no dampening on step one. */
  @Example
  void firstStepMomentumBufferIsTheGradient() {
    try (TestParam p = new TestParam("p", Tensor.of(Device.CPU, DType.F64, new double[] {1.0, -2.0}, 2));
        Sgd opt = new Sgd(List.of(new ParamGroup("g", List.of(p), 0.1, 0.0)), 0.9, 0.5, false)) {
      p.setGrad(Tensor.of(Device.CPU, DType.F64, new double[] {1.0, 2.0}, 2));
      opt.step();
      assertArrayEquals(new double[] {1.0 - 0.1 * 1.0, -2.0 - 0.1 * 2.0}, p.value().toDoubleArray(), 0);
      // Second step: buf = 0.9 * g1 + 0.5 * g2.
      p.setGrad(Tensor.of(Device.CPU, DType.F64, new double[] {4.0, 0.0}, 2));
      opt.step();
      assertArrayEquals(new double[] {0.9 - 0.1 * (0.9 + 2.0), -2.2 - 0.1 * 1.8}, p.value().toDoubleArray(), 1e-15);
    }
  }

  @Example
  void rejectsNesterovWithoutMomentumOrWithDampening() {
    try (TestParam p = new TestParam("p", Tensor.zeros(DType.F32, 2))) {
      List<ParamGroup> groups = List.of(new ParamGroup("g", List.of(p), 0.1, 0));
      assertThrows(IllegalArgumentException.class, () -> new Sgd(groups, 0, 0, true));
      assertThrows(IllegalArgumentException.class, () -> new Sgd(groups, 0.9, 0.1, true));
    }
  }
}

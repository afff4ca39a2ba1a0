package dev.rmr1.nn.optim;

import static dev.rmr1.nn.optim.OptimTesting.bits;
import static dev.rmr1.nn.optim.OptimTesting.gaussian;
import static dev.rmr1.nn.optim.OptimTesting.maxAbs;
import static dev.rmr1.nn.optim.OptimTesting.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;

/** AdamW against a plain double-precision AdamW over many steps, and the fused kernel against the composed ops. */
class AdamWProperties {
  @Provide
  Arbitrary<DType> dtypes() {
    return Arbitraries.of(DType.F32, DType.F64);
  }

  @Provide
  Arbitrary<Double> weightDecays() {
    return Arbitraries.of(0.0, 0.01, 0.1);
  }

  /** 0.0 and 0.5 take the other branch of ATen's lerp (weight 1 - beta1 >= 0.5). */
  @Provide
  Arbitrary<Double> beta1s() {
    return Arbitraries.of(0.9, 0.6, 0.5, 0.0);
  }

  @Provide
  Arbitrary<Double> beta2s() {
    return Arbitraries.of(0.999, 0.95);
  }

  @Provide
  Arbitrary<Double> epss() {
    return Arbitraries.of(1e-8, 1e-6);
  }

  @Provide
  Arbitrary<Double> gradScales() {
    return Arbitraries.of(1e-3, 1.0, 50.0);
  }

  /**
   * Three parameters in two groups (a matrix, possibly a transposed view, and a 0-d scalar with
   * decay; a vector at half the learning rate without decay), {@code steps} updates with fresh
   * random gradients, compared with {@link ScalarAdamW} started from the same (rounded) values.
   */
  @Property(tries = 60)
  void matchesDoublePrecisionReference(@ForAll("dtypes") DType dtype, @ForAll @IntRange(min = 0, max = 7) int rows,
      @ForAll @IntRange(min = 1, max = 9) int cols, @ForAll @IntRange(min = 1, max = 40) int steps,
      @ForAll @DoubleRange(min = 1e-4, max = 0.1) @Scale(6) double lr, @ForAll("weightDecays") double wd, @ForAll("beta1s") double beta1,
      @ForAll("beta2s") double beta2, @ForAll("epss") double eps, @ForAll("gradScales") double gradScale,
      @ForAll boolean transposed, @ForAll long seed) {
    Rng rng = new Rng(seed);
    Tensor w;
    if (transposed) {
      try (Tensor base = gaussian(dtype, rng, 1.0, cols, rows)) {
        w = base.transpose(0, 1);
      }
    } else {
      w = gaussian(dtype, rng, 1.0, rows, cols);
    }
    try (TestParam pw = new TestParam("w", w); TestParam pb = new TestParam("b", gaussian(dtype, rng, 1.0, cols));
        TestParam ps = new TestParam("s", gaussian(dtype, rng, 1.0));
        AdamW opt = new AdamW(List.of(new ParamGroup("a", List.of(pw, ps), lr, wd), new ParamGroup("b", List.of(pb), lr / 2, 0.0)),
            beta1, beta2, eps)) {
      List<TestParam> params = List.of(pw, pb, ps);
      double[] lrs = {lr, lr / 2, lr}, wds = {wd, 0, wd};
      ScalarAdamW[] ref = new ScalarAdamW[3];
      for (int k = 0; k < 3; k++) ref[k] = new ScalarAdamW(params.get(k).value().toDoubleArray(), beta1, beta2, eps);
      for (int s = 0; s < steps; s++) {
        for (int k = 0; k < 3; k++) {
          Tensor g = gaussian(dtype, rng, gradScale, params.get(k).value().shape());
          ref[k].step(g.toDoubleArray(), lrs[k], wds[k]);
          params.get(k).setGrad(g);
        }
        opt.step();
      }
      for (int k = 0; k < 3; k++) {
        double[] got = params.get(k).value().toDoubleArray(), want = ref[k].p;
        // Rounding of the parameter each step, plus the drift of the F32 moments (bounded by the
        // number of steps) in updates of size about lr.
        double unit = dtype == DType.F32 ? 0x1p-23 : 0x1p-51;
        double tol = steps * unit * (2 * maxAbs(want) + 16 * lr * steps);
        double err = maxAbsDiff(got, want);
        assertTrue(err <= tol, params.get(k).name() + " " + dtype + ": error " + err + " > tolerance " + tol);
        assertTrue(opt.paramStep(params.get(k).name()) == steps);
      }
    }
  }

  /** The fused CPU kernel performs exactly the float operations of the composed tensor ops. */
  @Property(tries = 30)
  void fusedKernelIsBitIdenticalToComposedOps(@ForAll @IntRange(min = 0, max = 40_000) int n,
      @ForAll @IntRange(min = 1, max = 3000) int step, @ForAll @DoubleRange(min = 0, max = 0.1) @Scale(6) double lr,
      @ForAll("weightDecays") double wd, @ForAll("beta1s") double beta1, @ForAll("beta2s") double beta2,
      @ForAll("epss") double eps, @ForAll long seed) {
    Rng rng = new Rng(seed);
    AdamW.Coefficients c = AdamW.coefficients(beta1, beta2, eps, step, lr, wd);
    try (Tensor p = gaussian(DType.F32, rng, 1.0, n); Tensor g = gaussian(DType.F32, rng, 0.1, n);
        Tensor m = gaussian(DType.F32, rng, 0.1, n); Tensor r = gaussian(DType.F32, rng, 0.1, n); Tensor v = r.square();
        Tensor p1 = p.copy(); Tensor m1 = m.copy(); Tensor v1 = v.copy();
        Tensor p2 = p.copy(); Tensor m2 = m.copy(); Tensor v2 = v.copy()) {
      assertTrue(CpuKernels.denseCpuF32(p2, g, m2, v2));
      AdamW.composedUpdate(p1, g, m1, v1, c);
      CpuKernels.adamW(p2, g, m2, v2, c);
      assertArrayEquals(bits(p1), bits(p2), "param");
      assertArrayEquals(bits(m1), bits(m2), "exp_avg");
      assertArrayEquals(bits(v1), bits(v2), "exp_avg_sq");
      // A guard against a kernel that does nothing: with a tiny lr or a handful of elements every
      // update can fall below half an ulp of its parameter, so only check where one surely cannot.
      if (n >= 100 && lr >= 1e-3) assertFalse(java.util.Arrays.equals(bits(p), bits(p2)), "the update changed nothing");
    }
  }

  /** Strided views of F32 take the composed path and agree with a dense run bit for bit. */
  @Property(tries = 20)
  void stridedParameterMatchesDenseParameter(@ForAll @IntRange(min = 2, max = 6) int rows, @ForAll @IntRange(min = 2, max = 6) int cols,
      @ForAll @IntRange(min = 1, max = 10) int steps, @ForAll long seed) {
    Rng rng = new Rng(seed);
    try (Tensor base = gaussian(DType.F32, rng, 1.0, cols, rows); TestParam strided = new TestParam("w", base.transpose(0, 1));
        TestParam dense = new TestParam("w", strided.value().contiguous().copy());
        AdamW a = new AdamW(List.of(new ParamGroup("g", List.of(strided), 0.01, 0.1)));
        AdamW b = new AdamW(List.of(new ParamGroup("g", List.of(dense), 0.01, 0.1)))) {
      assertFalse(strided.value().isContiguous());
      for (int s = 0; s < steps; s++) {
        Tensor g = gaussian(DType.F32, rng, 1.0, rows, cols);
        strided.setGrad(g.copy());
        dense.setGrad(g);
        a.step();
        b.step();
      }
      assertArrayEquals(bits(dense.value()), bits(strided.value()));
    }
  }
}

package dev.rmr1.nn.optim;

import static dev.rmr1.nn.optim.OptimTesting.bits;
import static dev.rmr1.nn.optim.OptimTesting.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;

/** Global-norm clipping against sums computed here in double. */
class GradClipProperties {
  /** Dense F32 (fused loop), a strided F32 view and F64 (composed path), and a parameter without gradient. */
  private static List<TestParam> params(Rng rng, int rows, int cols, double scale) {
    TestParam a = new TestParam("a", Tensor.zeros(DType.F32, rows, cols));
    a.setGrad(gaussian(DType.F32, rng, scale, rows, cols));
    TestParam b = new TestParam("b", Tensor.zeros(DType.F32, cols, rows));
    try (Tensor g = gaussian(DType.F32, rng, scale, rows, cols)) {
      b.setGrad(g.transpose(0, 1));
    }
    TestParam c = new TestParam("c", Tensor.zeros(DType.F64, cols));
    c.setGrad(gaussian(DType.F64, rng, scale, cols));
    TestParam d = new TestParam("d", Tensor.zeros(DType.F32, 3));
    return List.of(a, b, c, d);
  }

  private static double referenceNorm(List<TestParam> ps) {
    double s = 0;
    for (TestParam p : ps)
      if (p.grad() != null) for (double x : p.grad().toDoubleArray()) s += x * x;
    return Math.sqrt(s);
  }

  @Property(tries = 40)
  void clipsToTheMaxNormAndReturnsThePreClipNorm(@ForAll @IntRange(min = 0, max = 40) int rows, @ForAll @IntRange(min = 1, max = 30) int cols,
      @ForAll @DoubleRange(min = 1e-3, max = 10) @Scale(4) double scale, @ForAll @DoubleRange(min = 0.01, max = 100) @Scale(3) double maxNorm,
      @ForAll long seed) {
    List<TestParam> ps = params(new Rng(seed), rows, cols, scale);
    try {
      double want = referenceNorm(ps);
      // strided gradients take the composed path: row sums rounded to F32 once (GradClip.composedSumOfSquares)
      assertEquals(want, GradClip.totalNorm(ps), 3e-7 * want);
      List<double[]> before = ps.stream().map(p -> p.grad() == null ? null : p.grad().toDoubleArray()).toList();
      List<long[]> beforeBits = ps.stream().map(p -> p.grad() == null ? null : bits(p.grad())).toList();
      double total = GradClip.clipGradNorm(ps, maxNorm);
      assertEquals(want, total, 3e-7 * want);
      double coef = maxNorm / (total + 1e-6);
      for (int k = 0; k < ps.size(); k++) {
        TestParam p = ps.get(k);
        if (p.grad() == null) continue;
        if (coef >= 1) {
          assertArrayEquals(beforeBits.get(k), bits(p.grad()), p.name() + " changed below the threshold");
        } else {
          // g * coef with the coefficient rounded to the gradient's dtype, the product rounded once.
          double c = p.grad().dtype() == DType.F32 ? (float) coef : coef;
          double[] got = p.grad().toDoubleArray(), old = before.get(k);
          for (int i = 0; i < got.length; i++) {
            double expect = p.grad().dtype() == DType.F32 ? (float) (old[i] * c) : old[i] * c;
            assertEquals(expect, got[i], Math.ulp(expect), p.name() + "[" + i + "]");
          }
        }
      }
      if (coef < 1) assertEquals(maxNorm * want / (want + 1e-6), referenceNorm(ps), 1e-6 * maxNorm);
    } finally {
      ps.forEach(TestParam::close);
    }
  }

  /**
   * The fused loop (F64 accumulation) and the composed ops differ in summation order and in the
   * composed path rounding each last-dim row sum to F32 once (relative 6e-8; PyTorch computes the
   * whole norm in F32), on vectors and matrices.
   */
  @Property(tries = 15)
  void fusedSumOfSquaresAgreesWithComposed(@ForAll @IntRange(min = 0, max = 70_000) int n, @ForAll @IntRange(min = 1, max = 7) int rows,
      @ForAll long seed) {
    try (Tensor g = gaussian(DType.F32, new Rng(seed), 1.0, rows, n / rows)) {
      double fused = CpuKernels.sumOfSquares(g), composed = GradClip.composedSumOfSquares(g);
      assertEquals(fused, composed, 3e-7 * fused);
    }
  }

  /** As in PyTorch, a norm equal to the maximum is still scaled by max / (norm + 1e-6). */
  @Example
  void normEqualToMaxIsScaledByTheEpsilonTerm() {
    try (TestParam p = new TestParam("p", Tensor.zeros(DType.F64, 1))) {
      p.setGrad(Tensor.of(Device.CPU, DType.F64, new double[] {-1.0}, 1));
      assertEquals(1.0, GradClip.clipGradNorm(List.of(p), 1.0));
      assertEquals(-1.0 / (1.0 + 1e-6), p.grad().item(), 0);
    }
  }

  @Example
  void noGradientsMeanNormZero() {
    try (TestParam p = new TestParam("p", Tensor.zeros(DType.F32, 2))) {
      assertEquals(0.0, GradClip.clipGradNorm(List.of(p), 1.0));
      assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(p), Double.NaN));
      assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(p), -1));
      assertTrue(p.grad() == null);
    }
  }
}

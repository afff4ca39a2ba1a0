package dev.rmr1.cuda;

import static dev.rmr1.tensor.TestTensors.assertClose;

import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.TestTensors;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The GPU's one-pass RMSNorm backward ({@link CudaBackend#rmsNormBackward}) against the formulas
 * evaluated in F64 on the CPU, on random shapes (empty and odd widths included), gradient views,
 * and frozen BF16 weights.
 */
@AddLifecycleHook(RequiresCuda.class)
class CudaRmsNormBackwardTest {
  private static final Device GPU = RequiresCuda.GPU;

  @Provide
  Arbitrary<DType> dtypes() {
    return Arbitraries.of(DType.F32, DType.F64, DType.BF16);
  }

  @Property(tries = 40)
  void matchesTheFormulas(@ForAll("dtypes") DType dt, @ForAll boolean bf16Weight, @ForAll boolean transposedGrad, @ForAll long seed) {
    Random rnd = new Random(seed);
    int rows = rnd.nextInt(40), c = new int[] {1, 3, 64, 257, 896}[rnd.nextInt(5)];
    double eps = 1e-6;
    CudaBackend gpu = (CudaBackend) Backends.of(GPU);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.uniform(rnd, dt, -2, 2, rows, c);
      Tensor g = transposedGrad ? TestTensors.uniform(rnd, dt, -1, 1, c, rows).transpose(0, 1) : TestTensors.uniform(rnd, dt, -1, 1, rows, c);
      Tensor w = TestTensors.uniform(rnd, bf16Weight ? DType.BF16 : dt, 0.5, 1.5, c);
      double[] xs = x.toDoubleArray(), gs = g.contiguous().toDoubleArray(), ws = w.toDoubleArray();
      double[] dx = new double[rows * c], gn = new double[rows * c];
      for (int r = 0; r < rows; r++) {
        double ss = 0, sgwn = 0;
        for (int j = 0; j < c; j++) ss += xs[r * c + j] * xs[r * c + j];
        double inv = 1 / Math.sqrt(ss / c + eps);
        for (int j = 0; j < c; j++) sgwn += gs[r * c + j] * ws[j] * xs[r * c + j] * inv;
        double m = sgwn / c;
        for (int j = 0; j < c; j++) {
          double n = xs[r * c + j] * inv;
          dx[r * c + j] = inv * (gs[r * c + j] * ws[j] - n * m);
          gn[r * c + j] = gs[r * c + j] * n;
        }
      }
      Tensor gdx = Tensor.empty(GPU, dt, rows, c), ggn = Tensor.empty(GPU, dt, rows, c);
      gpu.rmsNormBackward(gdx, ggn, g.to(GPU), x.to(GPU), w.to(GPU), eps);
      // one rounding of a result computed in double: half a unit of the dtype, plus F64 sums' error
      double tol = dt == DType.F64 ? 1e-12 : 0;
      assertClose(Tensor.of(Device.CPU, dt, dx, rows, c), gdx.to(Device.CPU), 1, tol);
      assertClose(Tensor.of(Device.CPU, dt, gn, rows, c), ggn.to(Device.CPU), 1, tol);
      // either output alone
      Tensor only = Tensor.empty(GPU, dt, rows, c);
      gpu.rmsNormBackward(null, only, g.to(GPU), x.to(GPU), w.to(GPU), eps);
      assertClose(Tensor.of(Device.CPU, dt, gn, rows, c), only.to(Device.CPU), 1, tol);
      gpu.rmsNormBackward(only, null, g.to(GPU), x.to(GPU), w.to(GPU), eps);
      assertClose(Tensor.of(Device.CPU, dt, dx, rows, c), only.to(Device.CPU), 1, tol);
    }
  }
}

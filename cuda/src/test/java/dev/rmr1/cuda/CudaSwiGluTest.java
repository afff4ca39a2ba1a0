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
 * The GPU's SwiGLU kernels ({@link CudaBackend#swiGlu}, {@link CudaBackend#swiGluBackward}) against
 * the formulas evaluated in F64 on the CPU and rounded once, on random shapes (empty ones included)
 * and views (transposes, broadcast gradients).
 */
@AddLifecycleHook(RequiresCuda.class)
class CudaSwiGluTest {
  private static final Device GPU = RequiresCuda.GPU;

  @Provide
  Arbitrary<DType> dtypes() {
    return Arbitraries.of(DType.F32, DType.F64, DType.BF16);
  }

  @Property(tries = 40)
  void forwardAndBackwardMatchTheFormulas(@ForAll("dtypes") DType dt, @ForAll boolean transposed, @ForAll boolean broadcastGrad,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    int rows = rnd.nextInt(30), cols = new int[] {1, 5, 64, 333}[rnd.nextInt(4)];
    CudaBackend gpu = (CudaBackend) Backends.of(GPU);
    try (TensorScope s = TensorScope.open()) {
      Tensor gate = transposed ? TestTensors.uniform(rnd, dt, -8, 8, cols, rows).transpose(0, 1) : TestTensors.uniform(rnd, dt, -8, 8, rows, cols);
      Tensor up = TestTensors.uniform(rnd, dt, -2, 2, rows, cols);
      Tensor g = broadcastGrad ? TestTensors.uniform(rnd, dt, -1, 1, 1, cols).expand(rows, cols) : TestTensors.uniform(rnd, dt, -1, 1, rows, cols);
      double[] x = gate.contiguous().toDoubleArray(), u = up.toDoubleArray(), gg = g.contiguous().toDoubleArray();
      double[] out = new double[x.length], dGate = new double[x.length], dUp = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        double e = 1 + Math.exp(-x[i]), sg = 1 / e;
        out[i] = x[i] / e * u[i];
        dUp[i] = gg[i] * (x[i] / e);
        dGate[i] = gg[i] * u[i] * sg * (1 + x[i] * (1 - sg));
      }
      Tensor gOut = Tensor.empty(GPU, dt, rows, cols), gdGate = Tensor.empty(GPU, dt, rows, cols), gdUp = Tensor.empty(GPU, dt, rows, cols);
      Tensor dGate0 = gate.to(GPU), dUp0 = up.to(GPU), dg = g.to(GPU);
      gpu.swiGlu(gOut, dGate0, dUp0);
      gpu.swiGluBackward(gdGate, gdUp, dg, dGate0, dUp0);
      double atol = dt == DType.F64 ? 1e-13 : 1e-12;
      assertClose(Tensor.of(Device.CPU, dt, out, rows, cols), gOut.to(Device.CPU), 1, atol);
      assertClose(Tensor.of(Device.CPU, dt, dGate, rows, cols), gdGate.to(Device.CPU), 1, atol);
      assertClose(Tensor.of(Device.CPU, dt, dUp, rows, cols), gdUp.to(Device.CPU), 1, atol);
      Tensor only = Tensor.empty(GPU, dt, rows, cols);
      gpu.swiGluBackward(null, only, dg, dGate0, dUp0);
      assertClose(Tensor.of(Device.CPU, dt, dUp, rows, cols), only.to(Device.CPU), 1, atol);
      gpu.swiGluBackward(only, null, dg, dGate0, dUp0);
      assertClose(Tensor.of(Device.CPU, dt, dGate, rows, cols), only.to(Device.CPU), 1, atol);
    }
  }
}

package dev.rmr1.cuda;

import static dev.rmr1.tensor.TestTensors.assertSame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.nn.optim.AdamW;
import dev.rmr1.nn.optim.OptimParam;
import dev.rmr1.nn.optim.ParamGroup;
import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.MatmulPrecision;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.TestTensors;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The backend contract on cuda:0 (every kernel against the CPU reference), plus what only the CUDA
 * backend has: the fused AdamW kernel, host transfers from Java heap memory, and the caching
 * allocator. Skipped, with the reason, where no CUDA device can be used (CI has none).
 */
@AddLifecycleHook(RequiresCuda.class)
class CudaBackendTest extends BackendContract {
  @Override
  Device device() {
    return RequiresCuda.GPU;
  }

  private record Param(String name, Tensor value, Tensor grad) implements OptimParam {}

  /**
   * The fused kernel against the optimizer's CPU path (which is bit-identical to its composed
   * tensor path) over several steps: the same bits. Coefficients as AdamW documents them.
   */
  @Property(tries = 15)
  void fusedAdamWMatchesTheOptimizerBitForBit(@ForAll @IntRange(min = 1, max = 5000) int n, @ForAll @DoubleRange(min = 1e-4, max = 0.1) @Scale(6) double lr,
      @ForAll @DoubleRange(min = 0, max = 0.2) double weightDecay, @ForAll boolean bigBeta1, @ForAll long seed) {
    Random rnd = new Random(seed);
    double beta1 = bigBeta1 ? 0.9 : 0.3, beta2 = 0.999, eps = 1e-8; // 1 - beta1 above and below 0.5: both lerp forms
    CudaBackend gpu = (CudaBackend) Backends.of(RequiresCuda.GPU);
    try (TensorScope s = TensorScope.open()) {
      Tensor p = TestTensors.uniform(rnd, DType.F32, -1, 1, n), g = Tensor.zeros(DType.F32, n);
      Tensor dp = p.to(RequiresCuda.GPU), dg = Tensor.zeros(RequiresCuda.GPU, DType.F32, n);
      Tensor dm = Tensor.zeros(RequiresCuda.GPU, DType.F32, n), dv = Tensor.zeros(RequiresCuda.GPU, DType.F32, n);
      try (AdamW opt = new AdamW(List.of(new ParamGroup("all", List.of(new Param("w", p, g)), lr, weightDecay)), beta1, beta2, eps)) {
        for (int step = 1; step <= 3; step++) {
          try (Tensor grad = TestTensors.uniform(rnd, DType.F32, -2, 2, n)) {
            g.copyFrom(grad);
            dg.copyFrom(grad.to(RequiresCuda.GPU));
          }
          opt.step();
          double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
          gpu.adamW(dp, dg, dm, dv, weightDecay != 0, 1 - lr * weightDecay, 1 - beta1, beta2, 1 - beta2, Math.sqrt(bc2), eps, -(lr / bc1));
          assertSame(p, dp.to(Device.CPU));
          assertSame(opt.expAvg("w"), dm.to(Device.CPU));
          assertSame(opt.expAvgSq("w"), dv.to(Device.CPU));
        }
      }
    }
  }

  /**
   * F32 products at float32 matmul precision high (TF32 tensor cores) and medium (both operands
   * rounded to BF16, transposed operands cast in memory order) against the F64 reference, on the
   * layouts of the contract's matmul test: within the operands' rounding, 2^-11 and 2^-8 relative
   * per product, of sum |a| |b|.
   */
  @Property(tries = 30)
  void reducedFloat32MatmulPrecisionsStayWithinTheirRounding(@ForAll("matmulSizes") int[] mnk, @ForAll boolean batched, @ForAll boolean medium,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    int m = mnk[0], n = mnk[1], k = mnk[2];
    int[] batch = batched ? new int[] {2, 3} : new int[0];
    String was = System.getProperty(MatmulPrecision.PROPERTY);
    System.setProperty(MatmulPrecision.PROPERTY, medium ? "medium" : "high");
    try (TensorScope s = TensorScope.open()) {
      Tensor a = matrix(rnd, DType.F32, batch, m, k), b = matrix(rnd, DType.F32, batch, k, n);
      int[] os = java.util.Arrays.copyOf(batch, batch.length + 2);
      os[batch.length] = m;
      os[batch.length + 1] = n;
      Tensor out = Tensor.empty(DType.F64, os), dOut = Tensor.empty(RequiresCuda.GPU, DType.F32, os);
      backend().matmul(dOut, on(a), on(b));
      dev.rmr1.tensor.cpu.Reference.matmul(out, a.to(DType.F64), b.to(DType.F64));
      double tol = medium ? 8e-3 : 2e-3;
      try (Tensor bound = a.abs().matmul(b.abs())) {
        double[] want = out.toDoubleArray(), got = back(dOut).toDoubleArray(), lim = bound.toDoubleArray();
        for (int i = 0; i < want.length; i++)
          assertTrue(Math.abs(got[i] - want[i]) <= tol * lim[i] + 1e-30,
              "element " + i + " of " + java.util.Arrays.toString(os) + (medium ? " medium" : " high") + ": got " + got[i] + " want " + want[i]);
      }
    } finally {
      if (was == null) System.clearProperty(MatmulPrecision.PROPERTY);
      else System.setProperty(MatmulPrecision.PROPERTY, was);
    }
  }

  /** JCuda addresses only direct buffers or whole arrays: heap segments (and slices of them) are staged. */
  @Example
  void heapSegmentsTransferInBothDirections() {
    int n = (1 << 22) + 3; // past one 16 MiB staging buffer
    float[] data = new float[n + 5];
    for (int i = 0; i < data.length; i++) data[i] = i * 0.5f;
    try (TensorScope s = TensorScope.open()) {
      Tensor t = Tensor.fromHost(RequiresCuda.GPU, DType.F32, MemorySegment.ofArray(data).asSlice(5L * 4), n, n);
      float[] back = new float[n];
      t.backend().copyToHost(t, MemorySegment.ofArray(back));
      for (int i = 0; i < n; i++) if (back[i] != data[i + 5]) throw new AssertionError("element " + i + ": " + back[i] + " != " + data[i + 5]);
      assertArrayEquals(new float[] {5 * 0.5f, 6 * 0.5f}, t.narrow(0, 0, 2).toFloatArray());
    }
  }

  @Example
  void deviceMemoryIsReusedAcrossSteps() {
    CudaBackend gpu = (CudaBackend) Backends.of(RequiresCuda.GPU);
    Runnable step = () -> {
      try (TensorScope s = TensorScope.open()) {
        Tensor x = Tensor.ones(RequiresCuda.GPU, DType.F32, 64, 64);
        assertEquals(64 * 64 * 64, x.matmul(x).sum().item(), 1e-3);
      }
    };
    step.run();
    long live = gpu.liveBytes();
    for (int i = 0; i < 1000; i++) step.run();
    assertEquals(live, gpu.liveBytes());
    assertTrue(gpu.describe().startsWith("cuda:0 ("), gpu.describe());
  }
}

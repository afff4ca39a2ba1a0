package dev.rmr1.cuda;

import static dev.rmr1.tensor.TestTensors.assertClose;

import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.TestTensors;
import dev.rmr1.tensor.cpu.Reference;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The GPU's training attention ({@link CudaAttention}: cuBLAS products around two kernels) against
 * the scalar F64 reference of the CPU, forward (output and log-sum-exp) and backward, on random
 * grouped-head shapes and views, with blocks of whole (batch, KV head) pairs or, when the block
 * budget is small, of rows of one head (partial dK and dV summed).
 */
@AddLifecycleHook(RequiresCuda.class)
class CudaAttentionTest {
  private static final Device GPU = RequiresCuda.GPU;

  @Property(tries = 60)
  void forwardAndBackwardMatchTheReference(@ForAll boolean causal, @ForAll @IntRange(min = 0, max = 3) int budget, @ForAll long seed) {
    Random rnd = new Random(seed);
    int b = 1 + rnd.nextInt(2), hkv = 1 + rnd.nextInt(2), group = 1 + rnd.nextInt(3);
    int d = new int[] {1, 7, 16, 64}[rnd.nextInt(4)];
    int tq = 1 + rnd.nextInt(40), tk = causal ? tq + rnd.nextInt(5) : 1 + rnd.nextInt(40);
    int qOffset = causal ? tk - tq : 0;
    double scale = 1 / Math.sqrt(d);
    // 2^26: one block; then budgets that split the pairs, and that cut one pair into row blocks
    long maxScores = new long[] {1L << 26, (long) group * tq * tk, Math.max(1, tk * 5L), 1}[budget];
    CudaAttention kernels = new CudaAttention((CudaBackend) Backends.of(GPU), maxScores);
    try (TensorScope s = TensorScope.open()) {
      Tensor q = BackendContract.heads(rnd, DType.F32, 2, b, hkv * group, tq, d), k = BackendContract.heads(rnd, DType.F32, 2, b, hkv, tk, d);
      Tensor v = BackendContract.heads(rnd, DType.F32, 3, b, hkv, tk, d), dOut = TestTensors.uniform(rnd, DType.F32, -1, 1, b, hkv * group, tq, d);
      Tensor q64 = q.to(DType.F64), k64 = k.to(DType.F64), v64 = v.to(DType.F64), dOut64 = dOut.to(DType.F64);
      Tensor out = Tensor.empty(DType.F64, q.shape()), lse = Tensor.empty(DType.F64, b, hkv * group, tq);
      Reference.attention(out, lse, q64, k64, v64, scale, causal, qOffset);
      Tensor dq = Tensor.empty(DType.F64, q.shape()), dk = Tensor.empty(DType.F64, k.shape()), dv = Tensor.empty(DType.F64, v.shape());
      Reference.attentionBackward(dq, dk, dv, dOut64, q64, k64, v64, out, lse, scale, causal, qOffset);

      Tensor gq = q.to(GPU), gk = k.to(GPU), gv = v.to(GPU), gdOut = dOut.to(GPU);
      Tensor gOut = Tensor.empty(GPU, DType.F32, q.shape()), gLse = Tensor.empty(GPU, DType.F32, b, hkv * group, tq);
      kernels.forward(gOut, gLse, gq, gk, gv, scale, causal, qOffset);
      Tensor gdq = Tensor.empty(GPU, DType.F32, q.shape()), gdk = Tensor.empty(GPU, DType.F32, k.shape()), gdv = Tensor.empty(GPU, DType.F32, v.shape());
      kernels.backward(gdq, gdk, gdv, gdOut, gq, gk, gv, gOut, gLse, scale, causal, qOffset);

      // F32 products of |q|, |k| <= 2 over d channels and sums over up to G * Tq rows
      double tol = 2e-5 * Math.max(1, d / 8.0) * Math.max(1, group * tq / 16.0);
      assertClose(out, gOut.to(Device.CPU).to(DType.F64), 0, tol);
      assertClose(lse, gLse.to(Device.CPU).to(DType.F64), 0, tol);
      assertClose(dq, gdq.to(Device.CPU).to(DType.F64), 0, tol);
      assertClose(dk, gdk.to(Device.CPU).to(DType.F64), 0, tol);
      assertClose(dv, gdv.to(Device.CPU).to(DType.F64), 0, tol);
    }
  }
}

package dev.rmr1.cuda;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.ReduceOp;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.UnaryOp;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every CUDA primitive against the CPU backend on random inputs (odd sizes, views, broadcasting).
 * Skipped, with the reason, where no CUDA device can be used (CI has none).
 */
class CudaBackendTest {
  static final Device GPU = new Device("cuda", 0);
  static String unavailable;

  @BeforeAll
  static void probe() {
    try {
      Backends.of(GPU);
    } catch (RuntimeException | LinkageError e) {
      unavailable = e.getMessage();
    }
  }

  static void requireGpu() {
    Assumptions.assumeTrue(unavailable == null, () -> "no usable CUDA device: " + unavailable);
  }

  /** f on CPU vs f on the GPU (inputs copied over), compared elementwise. */
  static void same(List<Tensor> cpuInputs, Function<List<Tensor>, Tensor> f, double tol) {
    try (TensorScope s = TensorScope.open()) {
      List<Tensor> gpuInputs = cpuInputs.stream().map(t -> t.to(GPU)).toList();
      Tensor want = f.apply(cpuInputs);
      Tensor got = f.apply(gpuInputs);
      assertEquals(GPU, got.device());
      assertArrayEquals(want.shape(), got.shape());
      double[] w = want.toDoubleArray(), g = got.toDoubleArray();
      for (int i = 0; i < w.length; i++)
        assertEquals(w[i], g[i], tol * Math.max(1, Math.abs(w[i])), "element " + i + " of " + want);
    }
  }

  static Tensor rand(Rng rng, int... shape) {
    return Tensor.normal(Device.CPU, DType.F32, rng, 0, 1, shape);
  }

  @Test
  void elementwiseBroadcastingAndViews() {
    requireGpu();
    Rng rng = new Rng(1);
    try (TensorScope s = TensorScope.open()) {
      Tensor a = rand(rng, 3, 5, 7), b = rand(rng, 5, 1);
      for (UnaryOp op : new UnaryOp[] {UnaryOp.NEG, UnaryOp.EXP, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.SILU, UnaryOp.GELU})
        same(List.of(a), in -> in.get(0).transpose(0, 2).apply(op), 1e-6);
      for (BinaryOp op : BinaryOp.values())
        if (op != BinaryOp.POW) same(List.of(a, b), in -> in.get(0).apply(op, in.get(1)), 1e-6);
      same(List.of(a), in -> in.get(0).to(DType.BF16).to(DType.F32), 0);
      same(List.of(a, b), in -> Tensor.where(in.get(0).gt(0.0), in.get(0), in.get(1).expand(3, 5, 7).contiguous()), 0);
      same(List.of(a), in -> in.get(0).narrow(2, 1, 4).copy().addInPlace(in.get(0).narrow(2, 0, 4)), 1e-6);
    }
  }

  @Test
  void reductionsSoftmaxNormsRope() {
    requireGpu();
    Rng rng = new Rng(2);
    try (TensorScope s = TensorScope.open()) {
      Tensor a = rand(rng, 4, 33, 17), w = rand(rng, 17);
      for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.LOGSUMEXP})
        same(List.of(a), in -> in.get(0).reduce(op, new int[] {0, 2}, true), 1e-5);
      same(List.of(a), in -> in.get(0).argmax(1, false), 0);
      same(List.of(a), in -> in.get(0).softmax(-1), 1e-6);
      same(List.of(a), in -> in.get(0).logSoftmax(1), 1e-5);
      same(List.of(a, w), in -> in.get(0).rmsNorm(in.get(1), 1e-6), 1e-5);
      Tensor cos = rand(rng, 33, 16), sin = rand(rng, 33, 16), x = rand(rng, 2, 3, 33, 16);
      same(List.of(x, cos, sin), in -> in.get(0).rope(in.get(1), in.get(2)), 1e-5);
      same(List.of(a), in -> in.get(0).cumsum(1), 1e-5);
      same(List.of(a), in -> in.get(0).topk(5)[0], 0);
      same(List.of(a), in -> in.get(0).topk(5)[1], 0);
    }
  }

  @Test
  void attentionMatmulAndIndexing() {
    requireGpu();
    Rng rng = new Rng(3);
    try (TensorScope s = TensorScope.open()) {
      Tensor q = rand(rng, 2, 4, 9, 16), k = rand(rng, 2, 2, 9, 16), v = rand(rng, 2, 2, 9, 16);
      same(List.of(q, k, v), in -> Tensor.attention(in.get(0), in.get(1), in.get(2), 0.25, true, 0), 1e-5);
      Tensor q1 = rand(rng, 2, 4, 1, 16);
      same(List.of(q1, k, v), in -> Tensor.attention(in.get(0), in.get(1), in.get(2), 0.25, true, 8), 1e-5);
      Tensor x = rand(rng, 3, 37, 29), wt = rand(rng, 41, 29);
      same(List.of(x, wt), in -> in.get(0).matmul(in.get(1).transpose(0, 1)), 1e-4);
      same(List.of(x, wt), in -> in.get(0).matmul(in.get(1).to(DType.BF16).transpose(0, 1)), 2e-2);
      Tensor ids = Tensor.ofLongs(new long[] {3, 0, 40, 3}, 4);
      same(List.of(wt, ids), in -> in.get(0).indexSelect(0, in.get(1)), 0);
      Tensor idx = Tensor.ofLongs(new long[] {1, 0, 2, 2, 1, 0}, 2, 3);
      Tensor src = rand(rng, 2, 3);
      same(List.of(src, idx), in -> in.get(0).gather(1, in.get(1)), 0);
      same(List.of(src, idx), in -> Tensor.zeros(in.get(0).device(), DType.F32, 2, 3).scatterAddInPlace(1, in.get(1), in.get(0)), 1e-6);
    }
  }

  @Test
  void deviceMemoryIsReusedAcrossSteps() {
    requireGpu();
    CudaBackend gpu = (CudaBackend) Backends.of(GPU);
    Runnable step = () -> {
      try (TensorScope s = TensorScope.open()) {
        Tensor x = Tensor.ones(GPU, DType.F32, 64, 64);
        assertEquals(64 * 64 * 64, x.matmul(x).sum().item(), 1e-3);
      }
    };
    step.run();
    long live = gpu.liveBytes();
    for (int i = 0; i < 1000; i++) step.run();
    assertEquals(live, gpu.liveBytes());
  }
}

package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.Backend;
import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.FusedAttention;
import dev.rmr1.tensor.ReduceOp;
import dev.rmr1.tensor.Storage;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.UnaryOp;
import dev.rmr1.tensor.KernelTimers;
import dev.rmr1.tensor.KernelTimers.Kernel;
import java.lang.foreign.MemorySegment;

/**
 * The CPU backend. Each primitive takes its optimised kernel when the operands qualify (dense F32,
 * BF16 weights, ...) and otherwise the scalar {@link Reference} kernel, which defines the semantics.
 * Every computing primitive reports its time to {@link KernelTimers} (a no-op unless enabled).
 */
public final class CpuBackend implements Backend, FusedAttention {
  private static final CpuBackend INSTANCE = new CpuBackend();

  private CpuBackend() {}

  public static CpuBackend instance() {
    return INSTANCE;
  }

  @Override
  public Device device() {
    return Device.CPU;
  }

  @Override
  public Storage allocate(long bytes) {
    long t0 = KernelTimers.start();
    try {
      return CpuStorage.allocate(bytes);
    } finally {
      KernelTimers.stop(Kernel.ALLOCATE, t0);
    }
  }

  @Override
  public void copyFromHost(MemorySegment src, Tensor dst) {
    if (dst.numel() == 0) return; // an empty view's offset may lie past its storage
    MemorySegment.copy(src, 0, Elements.segment(dst), dst.offset() * dst.dtype().byteSize(), dst.byteSize());
  }

  @Override
  public void copyToHost(Tensor src, MemorySegment dst) {
    if (src.numel() == 0) return;
    MemorySegment.copy(Elements.segment(src), src.offset() * src.dtype().byteSize(), dst, 0, src.byteSize());
  }

  @Override
  public void copy(Tensor dst, Tensor src) {
    KernelTimers.time(Kernel.COPY, this, () -> {
      if (dst.numel() == 0) return; // an empty view's offset may lie past its storage
      Elementwise.copy(dst, src);
    });
  }

  @Override
  public void fill(Tensor dst, double value) {
    KernelTimers.time(Kernel.FILL, this, () -> Elementwise.fill(dst, value));
  }

  @Override
  public void unary(UnaryOp op, Tensor out, Tensor x) {
    KernelTimers.time(Kernel.UNARY, this, () -> Elementwise.unary(op, out, x));
  }

  @Override
  public void binary(BinaryOp op, Tensor out, Tensor a, Tensor b) {
    KernelTimers.time(Kernel.BINARY, this, () -> Elementwise.binary(op, out, a, b));
  }

  @Override
  public void where(Tensor out, Tensor cond, Tensor a, Tensor b) {
    KernelTimers.time(Kernel.WHERE, this, () -> Elementwise.where(out, cond, a, b));
  }

  @Override
  public void reduce(ReduceOp op, Tensor out, Tensor x, int[] dims) {
    KernelTimers.time(Kernel.REDUCE, this, () -> Reductions.reduce(op, out, x, dims));
  }

  @Override
  public void softmax(Tensor out, Tensor x, boolean log) {
    KernelTimers.time(Kernel.SOFTMAX, this, () -> Reductions.softmax(out, x, log));
  }

  @Override
  public void matmul(Tensor out, Tensor a, Tensor b) {
    KernelTimers.time(Kernel.MATMUL, this, () -> Gemm.matmul(out, a, b));
  }

  @Override
  public void rmsNorm(Tensor out, Tensor x, Tensor weight, double eps) {
    KernelTimers.time(Kernel.RMS_NORM, this, () -> Norms.rmsNorm(out, x, weight, eps));
  }

  @Override
  public void rope(Tensor out, Tensor x, Tensor cos, Tensor sin) {
    KernelTimers.time(Kernel.ROPE, this, () -> Norms.rope(out, x, cos, sin));
  }

  @Override
  public void attention(Tensor out, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    KernelTimers.time(Kernel.ATTENTION, this, () -> Attention.attention(out, q, k, v, scale, causal, qOffset));
  }

  @Override
  public void indexSelect(Tensor out, Tensor x, int dim, Tensor index) {
    KernelTimers.time(Kernel.INDEX_SELECT, this, () -> Reference.indexSelect(out, x, dim, index));
  }

  @Override
  public void gather(Tensor out, Tensor x, int dim, Tensor index) {
    KernelTimers.time(Kernel.GATHER, this, () -> Reference.gather(out, x, dim, index));
  }

  @Override
  public void scatterAdd(Tensor dst, int dim, Tensor index, Tensor src) {
    KernelTimers.time(Kernel.SCATTER_ADD, this, () -> Reference.scatterAdd(dst, dim, index, src));
  }

  @Override
  public void cumsum(Tensor out, Tensor x, int dim) {
    KernelTimers.time(Kernel.CUMSUM, this, () -> Reference.cumsum(out, x, dim));
  }

  @Override
  public void topk(Tensor values, Tensor indices, Tensor x, int k) {
    KernelTimers.time(Kernel.TOPK, this, () -> Reference.topk(values, indices, x, k));
  }

  /** Training attention runs the {@link TrainingAttention} kernels for every dtype and head dim. */
  @Override
  public boolean fusedAttentionSupports(Tensor q, Tensor k, Tensor v) {
    return true;
  }

  @Override
  public void attentionForward(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    TrainingAttention.forward(out, lse, q, k, v, scale, causal, qOffset);
  }

  @Override
  public void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, double scale,
      boolean causal, int qOffset) {
    TrainingAttention.backward(dq, dk, dv, dOut, q, k, v, out, lse, scale, causal, qOffset);
  }
}

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
    long t0 = KernelTimers.start();
    try {
      if (dst.numel() == 0) return; // an empty view's offset may lie past its storage
      Elementwise.copy(dst, src);
    } finally {
      KernelTimers.stop(Kernel.COPY, t0);
    }
  }

  @Override
  public void fill(Tensor dst, double value) {
    long t0 = KernelTimers.start();
    try {
      Elementwise.fill(dst, value);
    } finally {
      KernelTimers.stop(Kernel.FILL, t0);
    }
  }

  @Override
  public void unary(UnaryOp op, Tensor out, Tensor x) {
    long t0 = KernelTimers.start();
    try {
      Elementwise.unary(op, out, x);
    } finally {
      KernelTimers.stop(Kernel.UNARY, t0);
    }
  }

  @Override
  public void binary(BinaryOp op, Tensor out, Tensor a, Tensor b) {
    long t0 = KernelTimers.start();
    try {
      Elementwise.binary(op, out, a, b);
    } finally {
      KernelTimers.stop(Kernel.BINARY, t0);
    }
  }

  @Override
  public void where(Tensor out, Tensor cond, Tensor a, Tensor b) {
    long t0 = KernelTimers.start();
    try {
      Elementwise.where(out, cond, a, b);
    } finally {
      KernelTimers.stop(Kernel.WHERE, t0);
    }
  }

  @Override
  public void reduce(ReduceOp op, Tensor out, Tensor x, int[] dims) {
    long t0 = KernelTimers.start();
    try {
      Reductions.reduce(op, out, x, dims);
    } finally {
      KernelTimers.stop(Kernel.REDUCE, t0);
    }
  }

  @Override
  public void softmax(Tensor out, Tensor x, boolean log) {
    long t0 = KernelTimers.start();
    try {
      Reductions.softmax(out, x, log);
    } finally {
      KernelTimers.stop(Kernel.SOFTMAX, t0);
    }
  }

  @Override
  public void matmul(Tensor out, Tensor a, Tensor b) {
    long t0 = KernelTimers.start();
    try {
      Gemm.matmul(out, a, b);
    } finally {
      KernelTimers.stop(Kernel.MATMUL, t0);
    }
  }

  @Override
  public void rmsNorm(Tensor out, Tensor x, Tensor weight, double eps) {
    long t0 = KernelTimers.start();
    try {
      Norms.rmsNorm(out, x, weight, eps);
    } finally {
      KernelTimers.stop(Kernel.RMS_NORM, t0);
    }
  }

  @Override
  public void rope(Tensor out, Tensor x, Tensor cos, Tensor sin) {
    long t0 = KernelTimers.start();
    try {
      Norms.rope(out, x, cos, sin);
    } finally {
      KernelTimers.stop(Kernel.ROPE, t0);
    }
  }

  @Override
  public void attention(Tensor out, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    long t0 = KernelTimers.start();
    try {
      Attention.attention(out, q, k, v, scale, causal, qOffset);
    } finally {
      KernelTimers.stop(Kernel.ATTENTION, t0);
    }
  }

  @Override
  public void indexSelect(Tensor out, Tensor x, int dim, Tensor index) {
    long t0 = KernelTimers.start();
    try {
      Reference.indexSelect(out, x, dim, index);
    } finally {
      KernelTimers.stop(Kernel.INDEX_SELECT, t0);
    }
  }

  @Override
  public void gather(Tensor out, Tensor x, int dim, Tensor index) {
    long t0 = KernelTimers.start();
    try {
      Reference.gather(out, x, dim, index);
    } finally {
      KernelTimers.stop(Kernel.GATHER, t0);
    }
  }

  @Override
  public void scatterAdd(Tensor dst, int dim, Tensor index, Tensor src) {
    long t0 = KernelTimers.start();
    try {
      Reference.scatterAdd(dst, dim, index, src);
    } finally {
      KernelTimers.stop(Kernel.SCATTER_ADD, t0);
    }
  }

  @Override
  public void cumsum(Tensor out, Tensor x, int dim) {
    long t0 = KernelTimers.start();
    try {
      Reference.cumsum(out, x, dim);
    } finally {
      KernelTimers.stop(Kernel.CUMSUM, t0);
    }
  }

  @Override
  public void topk(Tensor values, Tensor indices, Tensor x, int k) {
    long t0 = KernelTimers.start();
    try {
      Reference.topk(values, indices, x, k);
    } finally {
      KernelTimers.stop(Kernel.TOPK, t0);
    }
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

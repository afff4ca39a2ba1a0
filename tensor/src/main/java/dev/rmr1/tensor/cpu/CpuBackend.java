package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.Backend;
import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.ReduceOp;
import dev.rmr1.tensor.Storage;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.UnaryOp;
import java.lang.foreign.MemorySegment;

/**
 * The CPU backend. Each primitive takes its optimised kernel when the operands qualify (dense F32,
 * BF16 weights, ...) and otherwise the scalar {@link Reference} kernel, which defines the semantics.
 */
public final class CpuBackend implements Backend {
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
    return CpuStorage.allocate(bytes);
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
    if (dst.numel() == 0) return; // an empty view's offset may lie past its storage
    Elementwise.copy(dst, src);
  }

  @Override
  public void fill(Tensor dst, double value) {
    Elementwise.fill(dst, value);
  }

  @Override
  public void unary(UnaryOp op, Tensor out, Tensor x) {
    Elementwise.unary(op, out, x);
  }

  @Override
  public void binary(BinaryOp op, Tensor out, Tensor a, Tensor b) {
    Elementwise.binary(op, out, a, b);
  }

  @Override
  public void where(Tensor out, Tensor cond, Tensor a, Tensor b) {
    Elementwise.where(out, cond, a, b);
  }

  @Override
  public void reduce(ReduceOp op, Tensor out, Tensor x, int[] dims) {
    Reductions.reduce(op, out, x, dims);
  }

  @Override
  public void softmax(Tensor out, Tensor x, boolean log) {
    Reductions.softmax(out, x, log);
  }

  @Override
  public void matmul(Tensor out, Tensor a, Tensor b) {
    Gemm.matmul(out, a, b);
  }

  @Override
  public void rmsNorm(Tensor out, Tensor x, Tensor weight, double eps) {
    Norms.rmsNorm(out, x, weight, eps);
  }

  @Override
  public void rope(Tensor out, Tensor x, Tensor cos, Tensor sin) {
    Norms.rope(out, x, cos, sin);
  }

  @Override
  public void attention(Tensor out, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    Attention.attention(out, q, k, v, scale, causal, qOffset);
  }

  @Override
  public void indexSelect(Tensor out, Tensor x, int dim, Tensor index) {
    Reference.indexSelect(out, x, dim, index);
  }

  @Override
  public void gather(Tensor out, Tensor x, int dim, Tensor index) {
    Reference.gather(out, x, dim, index);
  }

  @Override
  public void scatterAdd(Tensor dst, int dim, Tensor index, Tensor src) {
    Reference.scatterAdd(dst, dim, index, src);
  }

  @Override
  public void cumsum(Tensor out, Tensor x, int dim) {
    Reference.cumsum(out, x, dim);
  }

  @Override
  public void topk(Tensor values, Tensor indices, Tensor x, int k) {
    Reference.topk(values, indices, x, k);
  }
}

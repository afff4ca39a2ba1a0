package dev.rmr1.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The primitive kernels a device implements. Everything else in the library (and autograd) is
 * composed from these. Conventions, shared by every implementation:
 *
 * <ul>
 *   <li>Arguments are {@link Tensor} views of this backend's storage; inputs may be non-contiguous,
 *       broadcast (stride 0) or empty. {@code out} has the exact result shape and does not overlap
 *       an input, except that {@link #binary} may be called in place with {@code out} and {@code a}
 *       the very same view ({@link Tensor#applyInPlace}). {@code out} is usually dense but may be a
 *       strided view (in-place updates of a slice, {@code cat}): kernels must honour its strides.
 *   <li>Floating kernels accumulate in at least F32 (F64 for F64 tensors); BF16/F16 inputs are
 *       widened on load and rounded to nearest even on store.
 *   <li>Shapes and dtypes are checked by {@link Tensor} before a kernel is called; kernels may assume
 *       them.
 * </ul>
 */
public interface Backend {
  Device device();

  /**
   * Waits until every kernel queued so far has finished. Kernels of an accelerator run
   * asynchronously to the caller (reading a value back waits for them anyway); benchmarks call this
   * before reading a clock. The CPU backend computes synchronously: nothing to wait for.
   */
  default void synchronize() {}

  /** A fresh, uninitialised storage of {@code bytes} bytes (64-byte aligned on the CPU). */
  Storage allocate(long bytes);

  /** Copies host bytes into a dense tensor (same byte layout as the tensor's dtype). */
  void copyFromHost(MemorySegment src, Tensor dst);

  /** Copies a dense tensor's bytes to host memory. */
  void copyToHost(Tensor src, MemorySegment dst);

  /** dst[i] = cast(src[i]); shapes equal, dtypes may differ, dst may be a strided view. */
  void copy(Tensor dst, Tensor src);

  /** dst[i] = value (dst may be a strided view). */
  void fill(Tensor dst, double value);

  /** out = op(x); same shape and dtype. */
  void unary(UnaryOp op, Tensor out, Tensor x);

  /** out = op(a, b); a and b are already expanded to out's shape and share a dtype. */
  void binary(BinaryOp op, Tensor out, Tensor a, Tensor b);

  /** out = cond ? a : b; all already expanded to out's shape; cond is BOOL. */
  void where(Tensor out, Tensor cond, Tensor a, Tensor b);

  /**
   * Reduces x over {@code dims} (sorted, distinct). {@code out} has x's rank with those dims of size
   * 1 (keepdim form). ARGMAX/ARGMIN take exactly one dim and write I64; the others write x's dtype.
   * Reducing an empty dim gives 0 for SUM, -inf for MAX/LOGSUMEXP, +inf for MIN (ARGMAX of an empty
   * dim is rejected by the caller).
   */
  void reduce(ReduceOp op, Tensor out, Tensor x, int[] dims);

  /** Softmax (or log-softmax) over the last dimension. */
  void softmax(Tensor out, Tensor x, boolean log);

  /**
   * Batched matrix product: a (..., M, K), b (..., K, N), out (..., M, N) with identical batch dims
   * (broadcasting done by the caller through stride-0 views). Transposed operands arrive as strided
   * views. a is F32 or F64; b has a's dtype or is BF16/F16 (frozen weights); out has a's dtype.
   */
  void matmul(Tensor out, Tensor a, Tensor b);

  /** out = x / sqrt(mean(x^2, last dim) + eps) * weight; weight (C). Statistic in F32 or wider. */
  void rmsNorm(Tensor out, Tensor x, Tensor weight, double eps);

  /**
   * Rotary embedding, rotate-half form (Hugging Face {@code apply_rotary_pos_emb}):
   * out = x * cos + rotate_half(x) * sin, with x (..., T, D), cos and sin (T, D) (or broadcast to x).
   */
  void rope(Tensor out, Tensor x, Tensor cos, Tensor sin);

  /**
   * Scaled dot-product attention with grouped KV heads. q (B, Hq, Tq, D), k and v (B, Hkv, Tk, D),
   * Hq a multiple of Hkv, out (B, Hq, Tq, D). When causal, query i (absolute position
   * {@code qOffset + i}) sees keys 0..qOffset+i; qOffset = Tk - Tq for a KV-cache step.
   */
  void attention(Tensor out, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset);

  /** out = x.index_select(dim, index); index is 1-D I32 or I64. */
  void indexSelect(Tensor out, Tensor x, int dim, Tensor index);

  /** out = x.gather(dim, index); index has out's shape. */
  void gather(Tensor out, Tensor x, int dim, Tensor index);

  /** In place: dst.scatter_add_(dim, index, src); index has src's shape. */
  void scatterAdd(Tensor dst, int dim, Tensor index, Tensor src);

  /** Inclusive prefix sum along dim. */
  void cumsum(Tensor out, Tensor x, int dim);

  /** The k largest values along the last dim, sorted descending (ties: lower index first), and their I64 indices. */
  void topk(Tensor values, Tensor indices, Tensor x, int k);
}

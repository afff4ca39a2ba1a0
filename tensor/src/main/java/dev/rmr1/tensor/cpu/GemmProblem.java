package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One batched product out (..., M, N) = a (..., M, K) @ b (..., K, N), reduced to what the kernels
 * need: segments, dtypes, element strides of the two matrix dims of each operand, and the storage
 * offset of every batch's matrix. Any stride is allowed (transposed views, stride-0 broadcast batch
 * dims): the kernels either pack through the strides or check the ones they need.
 */
final class GemmProblem {
  final int m, n, k, batches;
  final MemorySegment a, b, out;
  final DType aType, bType, outType;
  /** Element strides: a (M, K), b (K, N), out (M, N). */
  final long aM, aK, bK, bN, oM, oN;
  /** Storage offset (elements) of each batch's matrix, in row-major order of the batch dims. */
  final long[] aOff, bOff, oOff;

  GemmProblem(Tensor out, Tensor a, Tensor b) {
    int r = out.dim();
    m = out.size(-2);
    n = out.size(-1);
    k = a.size(-1);
    this.a = Elements.segment(a);
    this.b = Elements.segment(b);
    this.out = Elements.segment(out);
    aType = a.dtype();
    bType = b.dtype();
    outType = out.dtype();
    aM = a.stride(-2);
    aK = a.stride(-1);
    bK = b.stride(-2);
    bN = b.stride(-1);
    oM = out.stride(-2);
    oN = out.stride(-1);
    int[] batchShape = Arrays.copyOf(out.shape(), r - 2);
    long count = Tensor.numel(batchShape);
    batches = Math.toIntExact(count);
    aOff = new long[batches];
    bOff = new long[batches];
    oOff = new long[batches];
    int[] next = {0};
    Reference.forEachIndex(batchShape,
        new long[][] {Arrays.copyOf(a.strides(), r - 2), Arrays.copyOf(b.strides(), r - 2), Arrays.copyOf(out.strides(), r - 2)},
        new long[] {a.offset(), b.offset(), out.offset()}, o -> {
          int i = next[0]++;
          aOff[i] = o[0];
          bOff[i] = o[1];
          oOff[i] = o[2];
        });
  }

  /** Multiply-adds of the whole product (for choosing how many threads it deserves). */
  long fmas() {
    return (long) m * n * k * batches;
  }
}

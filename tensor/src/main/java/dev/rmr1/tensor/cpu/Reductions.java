package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.cpu.Elementwise.floatStorage;
import static dev.rmr1.tensor.cpu.Elementwise.simd;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.ReduceOp;
import dev.rmr1.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * CPU reductions and softmax. After dropping size-1 dims and merging neighbouring dims of the same
 * kind (reduced or kept) that x walks as one, two layouts take the {@link VectorReductions} kernels:
 *
 * <ul>
 *   <li>one reduced dim, innermost, of stride 1 ({@code sum(-1)}, a full reduction of a dense
 *       tensor, argmax over the vocabulary): every op;
 *   <li>one reduced dim just above a kept innermost dim of stride 1 ({@code sum(0)} of a (T, C)
 *       gradient): SUM, MAX and MIN.
 * </ul>
 *
 * Anything else (several separated reduced dims, strided rows, other dtypes, empty inputs) runs the
 * scalar {@link Reference}.
 */
final class Reductions {
  private Reductions() {}

  static void reduce(ReduceOp op, Tensor out, Tensor x, int[] dims) {
    if (!tryReduce(op, out, x, dims)) Reference.reduce(op, out, x, dims);
  }

  static void softmax(Tensor out, Tensor x, boolean log) {
    if (!trySoftmax(out, x, log)) Reference.softmax(out, x, log);
  }

  static boolean tryReduce(ReduceOp op, Tensor out, Tensor x, int[] dims) {
    boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
    DType t = x.dtype();
    if (!floatStorage(t) || (!arg && out.dtype() != t) || x.numel() <= 1 || !simd(out, x)) return false;
    int r = x.dim();
    int[] shape = x.shape();
    long[] xs = x.strides(), os = out.strides();
    boolean[] reducedDim = new boolean[r];
    for (int d : dims) reducedDim[d] = true;
    // Coalesced dims, innermost first. The output's stride along a reduced dim is 0 (all of it lands on one element).
    int[] size = new int[r];
    long[] xStride = new long[r], oStride = new long[r];
    boolean[] reduced = new boolean[r];
    int k = 0;
    for (int d = r - 1; d >= 0; d--) {
      if (shape[d] == 1) continue;
      long o = reducedDim[d] ? 0 : os[d];
      if (k > 0 && reduced[k - 1] == reducedDim[d] && xs[d] == xStride[k - 1] * size[k - 1] && o == oStride[k - 1] * size[k - 1]
          && (long) size[k - 1] * shape[d] <= Integer.MAX_VALUE) {
        size[k - 1] *= shape[d];
        continue;
      }
      size[k] = shape[d];
      xStride[k] = xs[d];
      oStride[k] = o;
      reduced[k++] = reducedDim[d];
    }
    int reducedCount = 0;
    for (int i = 0; i < k; i++) if (reduced[i]) reducedCount++;
    if (reducedCount != 1) return false;
    MemorySegment so = Elements.segment(out), sx = Elements.segment(x);
    DType ot = out.dtype();
    if (reduced[0] && xStride[0] == 1) {
      // Rows of the reduced dim; the kept dims above it index the outputs.
      int n = size[0];
      Rows p = Rows.lastDim(outerShape(size, k, 1, n), outerStrides(k, 1, new long[][] {oStride, xStride}, new long[] {0, 1}),
          new long[] {out.offset(), x.offset()});
      p.run((off, from, to) -> {
        if (arg) Elements.setLong(so, DType.I64, off[0], VectorReductions.argExtreme(op == ReduceOp.ARGMAX, sx, t, off[1], n));
        else Elements.set(so, ot, off[0], VectorReductions.reduce(op, sx, t, off[1], n));
      });
      return true;
    }
    if (k >= 2 && !reduced[0] && reduced[1] && xStride[0] == 1 && oStride[0] == 1
        && (op == ReduceOp.SUM || op == ReduceOp.MAX || op == ReduceOp.MIN)) {
      // Column blocks of the kept inner dim, each reduced over the rows of dim 1.
      Rows p = Rows.elementwise(outerShape(size, k, 2, size[0]), outerStrides(k, 2, new long[][] {oStride, xStride}, new long[] {1, 1}),
          new long[] {out.offset(), x.offset()});
      VectorReductions.columns(op, p, size[1], xStride[1], so, sx, t);
      return true;
    }
    return false;
  }

  /** The coalesced dims from {@code skip} up (outermost first), then a last dim of {@code last}. */
  private static int[] outerShape(int[] size, int k, int skip, int last) {
    int[] s = new int[k - skip + 1];
    for (int i = skip; i < k; i++) s[k - 1 - i] = size[i];
    s[k - skip] = last;
    return s;
  }

  private static long[][] outerStrides(int k, int skip, long[][] strides, long[] last) {
    long[][] r = new long[strides.length][];
    for (int t = 0; t < strides.length; t++) {
      r[t] = new long[k - skip + 1];
      for (int i = skip; i < k; i++) r[t][k - 1 - i] = strides[t][i];
      r[t][k - skip] = last[t];
    }
    return r;
  }

  static boolean trySoftmax(Tensor out, Tensor x, boolean log) {
    DType t = x.dtype();
    if (!floatStorage(t) || out.dtype() != t || x.dim() == 0 || !simd(out, x)) return false;
    Rows p = Rows.lastDim(x.shape(), out, x);
    if (p.length > 1 && (p.stride(0) != 1 || p.stride(1) != 1)) return false;
    VectorReductions.softmax(p, Elements.segment(out), Elements.segment(x), t, log);
    return true;
  }
}

package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.Tensor;

/**
 * The loop nest of a kernel over operands of one shape (views with their own strides and offsets),
 * reduced to rows: an inner loop over {@link #length} elements, each operand stepping by its
 * {@link #stride} (typically 1, or 0 when broadcast), under an outer loop over {@link #rows} rows.
 *
 * <p>{@link #elementwise} first drops size-1 dims and merges neighbouring dims that every operand
 * walks as one (the way PyTorch's TensorIterator coalesces), so dense operands become one long row
 * and a (T, C) + (C) broadcast becomes T rows of C. {@link #lastDim} keeps the last dim as the row
 * (softmax, RMSNorm, RoPE) and merges only the outer dims. Long work is split over {@link Parallel}
 * threads; tiny work runs inline.
 */
final class Rows {
  /** Elements a task should at least have before work is split over threads. */
  static final int PARALLEL_GRAIN = 1 << 15;
  /** Elementwise rows longer than this are cut into blocks so that one long row can be split too. */
  private static final int COLUMN_BLOCK = 1 << 14;

  /** Elements per row. */
  final int length;
  /** Number of rows. */
  final long rows;
  /** Per operand: its step between consecutive elements of a row. */
  private final long[] stride;
  private final int[] outer;
  /** [dim][operand]: steps between rows along each outer dim (innermost last). */
  private final long[][] outerStride;
  private final long[] base;
  private final boolean blocks;

  private Rows(int length, long[] stride, int[] outer, long[][] outerStride, long[] base, boolean blocks) {
    this.length = length;
    this.stride = stride;
    this.outer = outer;
    this.outerStride = outerStride;
    this.base = base;
    this.blocks = blocks;
    long r = 1;
    for (int d : outer) r *= d;
    this.rows = length == 0 ? 0 : r;
  }

  /** Operand {@code t}'s step within a row. */
  long stride(int t) {
    return stride[t];
  }

  /** All dims coalesced; the operands are views of {@code shape} (broadcasting already applied). */
  static Rows elementwise(int[] shape, Tensor... operands) {
    return plan(shape, operands, false);
  }

  /** The last dim of {@code shape} is the row; the others are coalesced. */
  static Rows lastDim(int[] shape, Tensor... operands) {
    return plan(shape, operands, true);
  }

  private static Rows plan(int[] shape, Tensor[] ops, boolean keepLast) {
    long[] base = new long[ops.length];
    long[][] st = new long[ops.length][];
    for (int t = 0; t < ops.length; t++) {
      base[t] = ops[t].offset();
      st[t] = ops[t].strides();
    }
    return plan(shape, st, base, keepLast);
  }

  /** Like {@link #lastDim} for operands given as raw strides ({@code strides[t]}) and offsets. */
  static Rows lastDim(int[] shape, long[][] strides, long[] offsets) {
    return plan(shape, strides, offsets, true);
  }

  /** Like {@link #elementwise} for operands given as raw strides and offsets. */
  static Rows elementwise(int[] shape, long[][] strides, long[] offsets) {
    return plan(shape, strides, offsets, false);
  }

  private static Rows plan(int[] shape, long[][] st, long[] offsets, boolean keepLast) {
    int n = st.length, r = shape.length;
    long[] base = offsets.clone();
    for (int d : shape)
      if (d == 0) return new Rows(0, new long[n], new int[0], new long[0][], base, !keepLast);
    if (keepLast && r == 0) throw new IllegalArgumentException("row kernels need at least one dim");
    // Walk dims from the innermost, collecting kept dims innermost first.
    int[] size = new int[Math.max(1, r)];
    long[][] dimStride = new long[Math.max(1, r)][];
    int k = 0;
    for (int d = r - 1; d >= 0; d--) {
      boolean last = d == r - 1 && keepLast;
      if (shape[d] == 1 && !last) continue;
      long[] s = new long[n];
      for (int t = 0; t < n; t++) s[t] = st[t][d];
      if (k > 0 && !(keepLast && k == 1) && mergeable(size[k - 1], dimStride[k - 1], shape[d], s)) {
        size[k - 1] *= shape[d];
        continue;
      }
      size[k] = shape[d];
      dimStride[k++] = s;
    }
    if (k == 0) { // every dim had size 1: one row of one element
      size[0] = 1;
      dimStride[0] = new long[n];
      k = 1;
    }
    int[] outer = new int[k - 1];
    long[][] outerStride = new long[k - 1][];
    for (int i = 1; i < k; i++) {
      outer[k - 1 - i] = size[i];
      outerStride[k - 1 - i] = dimStride[i];
    }
    return new Rows(size[0], dimStride[0], outer, outerStride, base, !keepLast);
  }

  /**
   * An outer dim (size {@code outerSize}, strides {@code s}) merges into the inner dim when every
   * operand walks both as one, and the merged size is still an int.
   */
  private static boolean mergeable(int innerSize, long[] innerStride, int outerSize, long[] s) {
    if ((long) innerSize * outerSize > Integer.MAX_VALUE) return false;
    for (int t = 0; t < s.length; t++) if (s[t] != innerStride[t] * innerSize) return false;
    return true;
  }

  /** Runs {@code kernel} over every row (whole rows for {@link #lastDim}, blocks of long rows otherwise). */
  void run(RowKernel kernel) {
    if (rows == 0) return;
    int block = blocks ? Math.min(length, COLUMN_BLOCK) : length;
    int perRow = (length + block - 1) / block;
    int units = Math.toIntExact(rows * perRow);
    int grain = Math.max(1, PARALLEL_GRAIN / Math.max(1, block));
    Parallel.forRange(units, grain, (lo, hi) -> {
      long[] off = new long[base.length];
      int[] idx = new int[outer.length];
      long row = -1;
      for (int u = lo; u < hi; u++) {
        long r = u / perRow;
        if (r != row) {
          if (row < 0) seek(r, idx, off);
          else next(idx, off);
          row = r;
        }
        int from = (u % perRow) * block;
        kernel.run(off, from, Math.min(length, from + block));
      }
    });
  }

  private void seek(long r, int[] idx, long[] off) {
    System.arraycopy(base, 0, off, 0, base.length);
    for (int d = outer.length - 1; d >= 0; d--) {
      idx[d] = (int) (r % outer[d]);
      r /= outer[d];
      for (int t = 0; t < off.length; t++) off[t] += idx[d] * outerStride[d][t];
    }
  }

  private void next(int[] idx, long[] off) {
    for (int d = outer.length - 1; d >= 0; d--) {
      for (int t = 0; t < off.length; t++) off[t] += outerStride[d][t];
      if (++idx[d] < outer[d]) return;
      for (int t = 0; t < off.length; t++) off[t] -= outerStride[d][t] * outer[d];
      idx[d] = 0;
    }
  }

  /**
   * Elements [from, to) of one row; {@code offsets[t]} is where operand t's row starts (element
   * {@code j} of the row is at {@code offsets[t] + j * stride(t)}). Must not keep {@code offsets}.
   */
  @FunctionalInterface
  interface RowKernel {
    void run(long[] offsets, int from, int to);
  }
}

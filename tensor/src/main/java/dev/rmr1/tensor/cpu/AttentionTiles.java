package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.cpu.Lanes.F;
import static dev.rmr1.tensor.cpu.Lanes.N;

import dev.rmr1.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Small dense float tiles for the attention kernels: loading (B, H, T, D) rows into zero-padded
 * row-major tiles, and the one register-blocked product they need, C (+)= A B with A read through
 * arbitrary element strides (so A^T B needs no transposed copy). Tiles are padded with zeros to
 * whole register blocks (rows to multiples of {@link #MR}, columns to multiples of {@link #NR}),
 * which leaves products unchanged, so the loops have no tails or masks.
 */
final class AttentionTiles {
  private AttentionTiles() {}

  /** Rows of a register block. */
  static final int MR = 4;
  /** Columns of a register block: two vectors (8 accumulators: fits the 16 registers of AVX2). */
  static final int NR = 2 * N;

  static int roundUp(int n, int m) {
    return (n + m - 1) / m * m;
  }

  /**
   * c[cOff + i ldc + j] (+)= sum over t < k of a[aOff + i ai + t at] * b[bOff + t ldb + j], for i < m
   * (a multiple of MR) and j < n (a multiple of NR); {@code add} keeps c's values, else overwrites.
   * A is row-major with (ai, at) = (lda, 1) or transposed with (1, lda).
   */
  static void product(float[] a, int aOff, int ai, int at, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, int m, int n, int k,
      boolean add) {
    for (int i = 0; i < m; i += MR)
      for (int j = 0; j < n; j += NR) block(a, aOff + i * ai, ai, at, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, k, add);
  }

  /** One MR x NR block of {@link #product}, accumulators in registers. */
  private static void block(float[] a, int aOff, int ai, int at, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, int k, boolean add) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
    if (add) {
      c00 = FloatVector.fromArray(F, c, cOff);
      c01 = FloatVector.fromArray(F, c, cOff + N);
      c10 = FloatVector.fromArray(F, c, cOff + ldc);
      c11 = FloatVector.fromArray(F, c, cOff + ldc + N);
      c20 = FloatVector.fromArray(F, c, cOff + 2 * ldc);
      c21 = FloatVector.fromArray(F, c, cOff + 2 * ldc + N);
      c30 = FloatVector.fromArray(F, c, cOff + 3 * ldc);
      c31 = FloatVector.fromArray(F, c, cOff + 3 * ldc + N);
    } else {
      c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(F);
    }
    for (int t = 0; t < k; t++) {
      int ab = aOff + t * at, bb = bOff + t * ldb;
      FloatVector b0 = FloatVector.fromArray(F, b, bb), b1 = FloatVector.fromArray(F, b, bb + N);
      FloatVector a0 = FloatVector.broadcast(F, a[ab]);
      c00 = Lanes.fma(a0, b0, c00);
      c01 = Lanes.fma(a0, b1, c01);
      FloatVector a1 = FloatVector.broadcast(F, a[ab + ai]);
      c10 = Lanes.fma(a1, b0, c10);
      c11 = Lanes.fma(a1, b1, c11);
      FloatVector a2 = FloatVector.broadcast(F, a[ab + 2 * ai]);
      c20 = Lanes.fma(a2, b0, c20);
      c21 = Lanes.fma(a2, b1, c21);
      FloatVector a3 = FloatVector.broadcast(F, a[ab + 3 * ai]);
      c30 = Lanes.fma(a3, b0, c30);
      c31 = Lanes.fma(a3, b1, c31);
    }
    c00.intoArray(c, cOff);
    c01.intoArray(c, cOff + N);
    c10.intoArray(c, cOff + ldc);
    c11.intoArray(c, cOff + ldc + N);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + N);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + N);
  }

  /**
   * tile[r ld + c] = element c of the r-th row (r < rows, c < dim) of a segment whose rows start at
   * {@code at} and step by {@code step} (elements, stride 1 within a row); zeros elsewhere in the
   * first {@code padRows} rows.
   */
  static void loadRows(MemorySegment s, DType t, long at, long step, int rows, int dim, float[] tile, int ld, int padRows) {
    for (int r = 0; r < padRows; r++) {
      if (r >= rows) {
        Arrays.fill(tile, r * ld, r * ld + ld, 0f);
        continue;
      }
      loadRow(s, t, at + r * step, dim, tile, r * ld, ld);
    }
  }

  /** tile[off .. off + dim) = the row at {@code at}; tile[off + dim .. off + ld) = 0. */
  private static void loadRow(MemorySegment s, DType t, long at, int dim, float[] tile, int off, int ld) {
    int c = 0;
    for (; c <= dim - N; c += N) Lanes.load(s, t, at + c).intoArray(tile, off + c);
    if (c < dim) Lanes.load(s, t, at + c, Lanes.tail(c, dim)).intoArray(tile, off + c, Lanes.tail(c, dim));
    Arrays.fill(tile, off + dim, off + ld, 0f);
  }

  /** Transposed: tile[c ld + r] = element c of row r (r < rows, c < dim); zeros in columns rows .. ld of the first padDim rows. */
  static void loadRowsTransposed(MemorySegment s, DType t, long at, long step, int rows, int dim, float[] tile, int ld, int padDim) {
    Arrays.fill(tile, 0, padDim * ld, 0f);
    for (int r = 0; r < rows; r++)
      for (int c = 0; c < dim; c++) tile[c * ld + r] = Lanes.get(s, t, at + r * step + c);
  }

  /** The row at {@code to} (stride 1) = tile[off .. off + dim), in the segment's dtype. */
  static void storeRow(float[] tile, int off, int dim, MemorySegment s, DType t, long to) {
    int c = 0;
    for (; c <= dim - N; c += N) Lanes.store(FloatVector.fromArray(F, tile, off + c), s, t, to + c);
    if (c < dim) Lanes.store(FloatVector.fromArray(F, tile, off + c, Lanes.tail(c, dim)), s, t, to + c, Lanes.tail(c, dim));
  }
}

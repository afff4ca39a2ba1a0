package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 GEMM on the Vector API: a 6 x (2 vectors) register tile, i.e. 6 x 32 with AVX-512. Twelve
 * accumulators plus two B vectors and one broadcast A value use 15 registers, which also fits the 16
 * of AVX2 (6 x 16 there); per depth step it does 12 FMAs for 2 vector loads and 6 broadcasts, enough
 * to keep the FMA units busy (the tile alone, on data in L1/L2, ran ~110 GFLOP/s on one
 * Zen 4 core, about its peak of one 512-bit FMA per cycle).
 *
 * <p>A is F32 with any strides; B is F32, BF16 or F16 with any strides, converted to F32 as it is
 * packed (BF16 to F32 is a 16-bit shift, exact).
 */
final class GemmF32 extends GemmBlocked.Kernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final VectorSpecies<Integer> INT = S.withLanes(int.class);
  /** Shorts for one float vector's lanes: half its bits. */
  private static final VectorSpecies<Short> HALF = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
  static final int MR = 6, NR = 2 * L;
  private static final boolean FMA = GemmSimd.FMA;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
  private static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT;

  static final GemmF32 INSTANCE = new GemmF32();

  private GemmF32() {
    super(MR, NR);
  }

  @Override
  GemmBlocked.Workspace newWorkspace() {
    return new Workspace();
  }

  /** L BF16 values at byte offset {@code at} as floats: sign-extend to int, shift into the high half. */
  private static FloatVector widenBf16(MemorySegment s, long at) {
    return ((IntVector) ShortVector.fromMemorySegment(HALF, s, at, NATIVE).convertShape(VectorOperators.S2I, INT, 0))
        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  private static FloatVector madd(FloatVector a, FloatVector b, FloatVector c) {
    return FMA ? a.fma(b, c) : a.mul(b).add(c);
  }

  static final class Workspace extends GemmBlocked.Workspace {
    /** Slivers of KC x NR, sliver s at s * kc * NR, row p of it at + p * NR. */
    private final float[] bPack = new float[GemmBlocked.KC * GemmBlocked.roundUp(GemmBlocked.NC, NR)];
    /** MR x kc, element (r, p) at p * MR + r: one broadcast per row and depth step. */
    private final float[] aPack = new float[GemmBlocked.KC * MR];
    /** NR columns of B (column c at c * kc) before they are interleaved into a sliver. */
    private final float[] stage = new float[GemmBlocked.KC * NR];
    /** Gather offsets {0, kc, 2 kc, ...} for the depth {@link #gatherKc}. */
    private final int[] gatherIdx = new int[L];
    private int gatherKc = -1;
    /** The MR rows of A before interleaving, row r at r * kc. */
    private final float[] rowsBuf = new float[GemmBlocked.KC * MR];
    /** The register tile's result, row-major MR x NR, before it is added into out. */
    private final float[] tile = new float[MR * NR];

    @Override
    void packA(GemmProblem p, long base, int i0, int rows, int k0, int kc) {
      MemorySegment s = p.a;
      float[] dst = aPack, row = rowsBuf;
      long aK = p.aK;
      for (int r = 0; r < MR; r++) {
        int o = r * kc;
        long src = base + (i0 + r) * p.aM + k0 * aK;
        if (r >= rows) Arrays.fill(row, o, o + kc, 0f);
        else if (aK == 1) MemorySegment.copy(s, F, src * Float.BYTES, row, o, kc); // bulk copy of a dense row
        else for (int q = 0; q < kc; q++) row[o + q] = s.getAtIndex(F, src + q * aK);
      }
      // Interleave: element (r, q) to q * MR + r, written sequentially.
      for (int q = 0, d = 0; q < kc; q++, d += MR)
        for (int r = 0; r < MR; r++) dst[d + r] = row[r * kc + q];
    }

    @Override
    void packB(GemmProblem p, long base, int k0, int kc, int j0, int cols) {
      MemorySegment s = p.b;
      float[] dst = bPack;
      long bK = p.bK, bN = p.bN;
      int slivers = GemmBlocked.ceilDiv(cols, NR);
      for (int sl = 0; sl < slivers; sl++) {
        int o = sl * kc * NR, j = sl * NR, width = Math.min(NR, cols - j);
        long src = base + k0 * bK + (j0 + j) * bN;
        if (p.bType == DType.F32 && bN == 1 && width == NR) {
          // Dense rows: two vector copies per depth step.
          for (int q = 0; q < kc; q++) {
            long at = (src + q * bK) * Float.BYTES;
            FloatVector.fromMemorySegment(S, s, at, NATIVE).intoArray(dst, o + q * NR);
            FloatVector.fromMemorySegment(S, s, at + (long) L * Float.BYTES, NATIVE).intoArray(dst, o + q * NR + L);
          }
          continue;
        }
        if (p.bType == DType.BF16 && bN == 1 && width == NR) {
          // Dense BF16 rows (b = W in dx = dy @ W): widen 2 x L values per depth step.
          for (int q = 0; q < kc; q++) {
            long at = (src + q * bK) * 2;
            widenBf16(s, at).intoArray(dst, o + q * NR);
            widenBf16(s, at + 2L * L).intoArray(dst, o + q * NR + L);
          }
          continue;
        }
        // Column by column into the stage (for b = W^T, bK == 1, each column is a contiguous row of
        // W: a bulk copy, or vector widening for BF16), then transposed into the sliver.
        float[] st = stage;
        for (int c = 0; c < NR; c++) {
          int so = c * kc;
          long col = src + c * bN;
          if (c >= width) Arrays.fill(st, so, so + kc, 0f);
          else if (p.bType == DType.F32 && bK == 1) MemorySegment.copy(s, F, col * Float.BYTES, st, so, kc);
          else if (p.bType == DType.BF16 && bK == 1) {
            int q = 0;
            for (; q + L <= kc; q += L) widenBf16(s, (col + q) * 2).intoArray(st, so + q);
            for (; q < kc; q++) st[so + q] = Float.intBitsToFloat(s.getAtIndex(H, col + q) << 16);
          } else
            for (int q = 0; q < kc; q++) st[so + q] = (float) Elements.get(s, p.bType, col + q * bK);
        }
        // Transpose with gathers: lanes c of step q come from st[c * kc + q].
        int[] idx = gatherIndex(kc);
        for (int q = 0, d = o; q < kc; q++, d += NR) {
          FloatVector.fromArray(S, st, q, idx, 0).intoArray(dst, d);
          FloatVector.fromArray(S, st, q + L * kc, idx, 0).intoArray(dst, d + L);
        }
      }
    }

    private int[] gatherIndex(int kc) {
      if (kc != gatherKc) {
        for (int c = 0; c < L; c++) gatherIdx[c] = c * kc;
        gatherKc = kc;
      }
      return gatherIdx;
    }

    @Override
    void compute(GemmProblem p, int sliver, int kc, long outIndex, int rows, int cols, boolean accumulate) {
      float[] t = tile;
      tile(aPack, bPack, sliver * kc * NR, kc, t);
      MemorySegment o = p.out;
      if (rows == MR && cols == NR && p.oN == 1) {
        for (int r = 0; r < MR; r++)
          for (int h = 0; h < NR; h += L) {
            long at = (outIndex + r * p.oM + h) * Float.BYTES;
            FloatVector v = FloatVector.fromArray(S, t, r * NR + h);
            (accumulate ? v.add(FloatVector.fromMemorySegment(S, o, at, NATIVE)) : v).intoMemorySegment(o, at, NATIVE);
          }
        return;
      }
      for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
          long at = outIndex + r * p.oM + c * p.oN;
          float v = t[r * NR + c];
          o.setAtIndex(F, at, accumulate ? o.getAtIndex(F, at) + v : v);
        }
    }
  }

  /**
   * The register tile: tile (MR x NR, row-major) = sum over q of a[q * MR + r] * b[bo + q * NR + j].
   * It ends with plain array stores; adding into out happens in the caller. A method with the
   * strided segment epilogue inlined here grows past C2's node-count cutoff, which then leaves
   * vector operations as calls on boxed vectors (measured ~15% slower).
   */
  private static void tile(float[] a, float[] b, int bo, int kc, float[] tile) {
    FloatVector z = FloatVector.zero(S);
    FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
    int ao = 0;
    for (int q = 0; q < kc; q++, ao += MR, bo += NR) {
      FloatVector b0 = FloatVector.fromArray(S, b, bo), b1 = FloatVector.fromArray(S, b, bo + L);
      FloatVector x = FloatVector.broadcast(S, a[ao]);
      c00 = madd(x, b0, c00);
      c01 = madd(x, b1, c01);
      x = FloatVector.broadcast(S, a[ao + 1]);
      c10 = madd(x, b0, c10);
      c11 = madd(x, b1, c11);
      x = FloatVector.broadcast(S, a[ao + 2]);
      c20 = madd(x, b0, c20);
      c21 = madd(x, b1, c21);
      x = FloatVector.broadcast(S, a[ao + 3]);
      c30 = madd(x, b0, c30);
      c31 = madd(x, b1, c31);
      x = FloatVector.broadcast(S, a[ao + 4]);
      c40 = madd(x, b0, c40);
      c41 = madd(x, b1, c41);
      x = FloatVector.broadcast(S, a[ao + 5]);
      c50 = madd(x, b0, c50);
      c51 = madd(x, b1, c51);
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + L);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + L);
  }
}

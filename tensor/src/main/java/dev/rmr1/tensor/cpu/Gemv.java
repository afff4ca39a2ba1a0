package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector products for decoding: out (M, N) = x (M, K) @ W^T with a few rows M and the weight
 * W (N, K) stored row-major (b = W^T, so b's K stride is 1), F32, BF16 or F16. Such a product reads
 * every weight once and does 2 flops per weight element per row of x, so it is bound by memory
 * bandwidth: each thread streams whole rows of W front to back (one contiguous stream, which the
 * hardware prefetchers follow best) and dots them with the rows of x, which stay in L1.
 *
 * <p>BF16 rows are widened without a conversion instruction: an int lane holds two BF16 values,
 * {@code lane << 16} is the even one as a float and {@code lane & 0xffff0000} the odd one, so x is
 * split once per call into its even and odd elements (per chunk of 2 vectors of weights) and each
 * half is multiplied by the matching half of the weights (little-endian layout; big-endian machines
 * use GEMM for BF16).
 */
final class Gemv {
  /**
   * Up to this many rows of x, a product streams W once here instead of packing it for GEMM. Packing
   * W^T (a transpose) costs more than the multiply-adds of a few rows: measured on one Zen 4 core
   * (CPU time) with a BF16 4864 x 896 weight, this kernel beats GEMM 8x at M = 1, 2x at M = 8, ties
   * at M = 16 and loses from M = 32 on. Decoding a batch of sequences lands here too.
   */
  static final int MAX_M = 16;
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** BF16 weights per int vector. */
  private static final int CHUNK = 2 * L;
  private static final boolean FMA = GemmSimd.FMA;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
  private static final ValueLayout.OfShort H = ValueLayout.JAVA_SHORT;
  /** Weight rows (BF16: 8 x 1792 bytes at K = 896) that a group of x rows passes over together. */
  private static final int ROW_BLOCK = 8;
  /** Rows of W per task at least; tasks are otherwise ~1/8 of a worker's share. */
  private static final int MIN_ROWS_PER_TASK = 16;

  /** The caller's copy of x (and its even/odd split), read by every worker of the call. */
  private static final ThreadLocal<float[]> X = ThreadLocal.withInitial(() -> new float[0]);
  /** A worker's F16 row widened to F32. */
  private static final ThreadLocal<MemorySegment> ROW = ThreadLocal.withInitial(() -> MemorySegment.NULL);

  private Gemv() {}

  /** Whether {@link #run} handles this product (F32 activations, weights with unit K stride, few rows). */
  static boolean applies(GemmProblem p) {
    return p.outType == DType.F32 && p.aType == DType.F32 && p.bK == 1 && p.m <= MAX_M
        && (p.bType == DType.F32 || p.bType == DType.F16 || (p.bType == DType.BF16 && NATIVE == ByteOrder.LITTLE_ENDIAN));
  }

  static void run(GemmProblem p) {
    int m = p.m, k = p.k, n = p.n;
    int chunks = p.bType == DType.BF16 ? k / CHUNK : 0;
    // x of every batch and row: (BF16) the even and odd halves of its first chunks * 2L elements,
    // chunks * L each, then the remaining elements in order (all of x for F32/F16 weights).
    int tail = 2 * chunks * L, perRow = tail + k - chunks * CHUNK;
    int xLen = Math.multiplyExact(p.batches * m, perRow);
    float[] x = X.get();
    if (x.length < xLen) X.set(x = new float[xLen]);
    for (int bi = 0; bi < p.batches; bi++)
      for (int r = 0; r < m; r++) {
        int o = (bi * m + r) * perRow;
        long src = p.aOff[bi] + r * p.aM;
        for (int c = 0; c < chunks; c++)
          for (int l = 0; l < L; l++) {
            x[o + c * L + l] = p.a.getAtIndex(F, src + (c * CHUNK + 2 * l) * p.aK);
            x[o + (chunks + c) * L + l] = p.a.getAtIndex(F, src + (c * CHUNK + 2 * l + 1) * p.aK);
          }
        for (int q = chunks * CHUNK; q < k; q++) x[o + tail + q - chunks * CHUNK] = p.a.getAtIndex(F, src + q * p.aK);
      }
    int workers = p.fmas() < GemmBlocked.SERIAL_FMAS ? 1 : Parallel.threads();
    int rowsPerTask = Math.max(MIN_ROWS_PER_TASK, GemmBlocked.ceilDiv(n, 8 * workers));
    int tasksPerBatch = GemmBlocked.ceilDiv(n, rowsPerTask);
    int total = Math.toIntExact((long) p.batches * tasksPerBatch);
    float[] xs = x;
    AtomicInteger next = new AtomicInteger();
    Parallel.forRange(Math.min(workers, total), 1, (lo, hi) -> {
      for (int t; (t = next.getAndIncrement()) < total; ) {
        int bi = t / tasksPerBatch, n0 = (t % tasksPerBatch) * rowsPerTask;
        rows(p, xs, bi, perRow, chunks, n0, Math.min(n, n0 + rowsPerTask));
      }
    });
  }

  /**
   * out[batch, :, n0..n1) for weight rows n0..n1, in blocks of {@link #ROW_BLOCK} weight rows: the
   * block stays in L1/L2 while each group of x rows passes over it, so x (up to 16 x K floats, more
   * than L1) is read once per block rather than once per weight row.
   */
  private static void rows(GemmProblem p, float[] x, int batch, int perRow, int chunks, int n0, int n1) {
    int m = p.m, k = p.k;
    MemorySegment w = p.b, out = p.out;
    boolean f16 = p.bType == DType.F16;
    MemorySegment widened = f16 ? widenBuffer(k) : null;
    float[] y4 = new float[4];
    int block = f16 ? 1 : ROW_BLOCK; // F16 rows are widened into one buffer, one at a time
    for (int jb = n0; jb < n1; jb += block) {
      int je = Math.min(n1, jb + block);
      if (f16) {
        long rowStart = p.bOff[batch] + jb * p.bN;
        for (int q = 0; q < k; q++) widened.setAtIndex(F, q, Float.float16ToFloat(w.getAtIndex(H, rowStart + q)));
      }
      int r = 0;
      if (p.bType == DType.BF16)
        for (; r + 4 <= m; r += 4)
          for (int j = jb; j < je; j++) {
            dotBf16x4(w, p.bOff[batch] + j * p.bN, k, chunks, x, (batch * m + r) * perRow, perRow, y4);
            for (int i = 0; i < 4; i++) out.setAtIndex(F, p.oOff[batch] + (r + i) * p.oM + j * p.oN, y4[i]);
          }
      for (; r < m; r++) {
        int xo = (batch * m + r) * perRow;
        for (int j = jb; j < je; j++) {
          long rowStart = p.bOff[batch] + j * p.bN; // element index of W[j, 0]
          float y = switch (p.bType) {
            case BF16 -> dotBf16(w, rowStart, k, chunks, x, xo);
            case F16 -> dotF32(widened, 0, k, x, xo);
            default -> dotF32(w, rowStart, k, x, xo);
          };
          out.setAtIndex(F, p.oOff[batch] + r * p.oM + j * p.oN, y);
        }
      }
    }
  }

  private static MemorySegment widenBuffer(int k) {
    MemorySegment s = ROW.get();
    if (s.byteSize() < (long) k * Float.BYTES) ROW.set(s = Arena.ofAuto().allocate((long) k * Float.BYTES, 64));
    return s;
  }

  private static FloatVector madd(FloatVector a, FloatVector b, FloatVector c) {
    return FMA ? a.fma(b, c) : a.mul(b).add(c);
  }

  /** sum_q w[start + q] * x[xo + q] over an F32 row. */
  private static float dotF32(MemorySegment w, long start, int k, float[] x, int xo) {
    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
    long base = start * Float.BYTES;
    int q = 0;
    for (; q + 4 * L <= k; q += 4 * L) {
      long at = base + (long) q * Float.BYTES;
      a0 = madd(FloatVector.fromMemorySegment(S, w, at, NATIVE), FloatVector.fromArray(S, x, xo + q), a0);
      a1 = madd(FloatVector.fromMemorySegment(S, w, at + L * 4L, NATIVE), FloatVector.fromArray(S, x, xo + q + L), a1);
      a2 = madd(FloatVector.fromMemorySegment(S, w, at + L * 8L, NATIVE), FloatVector.fromArray(S, x, xo + q + 2 * L), a2);
      a3 = madd(FloatVector.fromMemorySegment(S, w, at + L * 12L, NATIVE), FloatVector.fromArray(S, x, xo + q + 3 * L), a3);
    }
    for (; q + L <= k; q += L)
      a0 = madd(FloatVector.fromMemorySegment(S, w, base + (long) q * Float.BYTES, NATIVE), FloatVector.fromArray(S, x, xo + q), a0);
    float y = LaneSums.sum(a0.add(a1).add(a2.add(a3)));
    for (; q < k; q++) y += w.getAtIndex(F, start + q) * x[xo + q];
    return y;
  }

  /**
   * {@link #dotBf16} for the 4 rows of x at xo, xo + perRow, ...: each widened chunk of weights
   * serves 4 rows, which halves the work per multiply-add when several sequences decode together.
   */
  private static void dotBf16x4(MemorySegment w, long start, int k, int chunks, float[] x, int xo, int perRow, float[] y) {
    FloatVector z = FloatVector.zero(S);
    FloatVector e0 = z, e1 = z, e2 = z, e3 = z, o0 = z, o1 = z, o2 = z, o3 = z;
    long base = start * 2;
    int even = xo, odd = even + chunks * L, p1 = perRow, p2 = 2 * perRow, p3 = 3 * perRow;
    for (int c = 0; c < chunks; c++) {
      IntVector v = IntVector.fromMemorySegment(I, w, base + (long) c * CHUNK * 2, NATIVE);
      FloatVector we = v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), wo = v.and(0xffff0000).reinterpretAsFloats();
      int ce = even + c * L, co = odd + c * L;
      e0 = madd(we, FloatVector.fromArray(S, x, ce), e0);
      o0 = madd(wo, FloatVector.fromArray(S, x, co), o0);
      e1 = madd(we, FloatVector.fromArray(S, x, ce + p1), e1);
      o1 = madd(wo, FloatVector.fromArray(S, x, co + p1), o1);
      e2 = madd(we, FloatVector.fromArray(S, x, ce + p2), e2);
      o2 = madd(wo, FloatVector.fromArray(S, x, co + p2), o2);
      e3 = madd(we, FloatVector.fromArray(S, x, ce + p3), e3);
      o3 = madd(wo, FloatVector.fromArray(S, x, co + p3), o3);
    }
    y[0] = LaneSums.sum(e0.add(o0));
    y[1] = LaneSums.sum(e1.add(o1));
    y[2] = LaneSums.sum(e2.add(o2));
    y[3] = LaneSums.sum(e3.add(o3));
    for (int q = chunks * CHUNK, t = xo + 2 * chunks * L; q < k; q++, t++) {
      float wq = Float.intBitsToFloat(w.getAtIndex(H, start + q) << 16);
      for (int i = 0; i < 4; i++) y[i] += wq * x[t + i * perRow];
    }
  }

  /**
   * sum_q w[start + q] * x[q] over a BF16 row: whole chunks of 2L weights against the even and odd
   * halves of x (at xo and xo + chunks * L), the rest against x's remaining elements (from
   * xo + 2 * chunks * L).
   */
  private static float dotBf16(MemorySegment w, long start, int k, int chunks, float[] x, int xo) {
    FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
    long base = start * 2;
    int even = xo, odd = even + chunks * L;
    int c = 0;
    for (; c + 2 <= chunks; c += 2) {
      long at = base + (long) c * CHUNK * 2;
      IntVector v = IntVector.fromMemorySegment(I, w, at, NATIVE);
      IntVector u = IntVector.fromMemorySegment(I, w, at + CHUNK * 2L, NATIVE);
      a0 = madd(v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), FloatVector.fromArray(S, x, even + c * L), a0);
      a1 = madd(v.and(0xffff0000).reinterpretAsFloats(), FloatVector.fromArray(S, x, odd + c * L), a1);
      a2 = madd(u.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), FloatVector.fromArray(S, x, even + c * L + L), a2);
      a3 = madd(u.and(0xffff0000).reinterpretAsFloats(), FloatVector.fromArray(S, x, odd + c * L + L), a3);
    }
    for (; c < chunks; c++) {
      IntVector v = IntVector.fromMemorySegment(I, w, base + (long) c * CHUNK * 2, NATIVE);
      a0 = madd(v.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), FloatVector.fromArray(S, x, even + c * L), a0);
      a1 = madd(v.and(0xffff0000).reinterpretAsFloats(), FloatVector.fromArray(S, x, odd + c * L), a1);
    }
    float y = LaneSums.sum(a0.add(a1).add(a2.add(a3)));
    for (int q = chunks * CHUNK, t = xo + 2 * chunks * L; q < k; q++, t++) y += Float.intBitsToFloat(w.getAtIndex(H, start + q) << 16) * x[t];
    return y;
  }
}

package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.cpu.Lanes.F;
import static dev.rmr1.tensor.cpu.Lanes.N;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Scaled dot-product attention with an online softmax (FlashAttention, Dao et al. 2022, sec. 3.1):
 * each query row walks its visible keys in blocks of {@link #KEY_BLOCK}, keeping a running max m,
 * a running denominator l and an unnormalised output row; when a block raises the max, the running
 * values are rescaled by exp(m_old - m_new). Scratch is one block of scores and one row per thread,
 * so memory is O(D + block) per query instead of O(Tk). Rows of q, k, v and out have stride 1; any
 * other strides (head-split views of (B, T, H, D) projections) are followed as given.
 *
 * <p>Query head h reads KV head h / (Hq / Hkv) (grouped-query attention). A query at absolute
 * position qOffset + i sees keys 0 .. qOffset + i when causal: prefill has qOffset = 0, one decode
 * step against a KV cache of Tk keys has Tq = 1 and qOffset = Tk - 1.
 */
final class VectorAttention {
  private VectorAttention() {}

  static final int KEY_BLOCK = 128;

  /** With {@code lse} (B, Hq, Tq) non-null, each query's log-sum-exp of its scaled scores is stored there too (as {@link Reference#attention}). */
  static void attention(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    DType t = q.dtype();
    MemorySegment so = Elements.segment(out), sq = Elements.segment(q), sk = Elements.segment(k), sv = Elements.segment(v);
    MemorySegment sl = lse == null ? null : Elements.segment(lse);
    long[] ls = lse == null ? null : lse.strides();
    int batch = q.size(0), hq = q.size(1), tq = q.size(2), dim = q.size(3), hkv = k.size(1), tk = k.size(2);
    int group = hq / hkv;
    long[] qs = q.strides(), ks = k.strides(), vs = v.strides(), os = out.strides();
    float sc = (float) scale;
    int rows = batch * hq * tq;
    long perRow = 2L * Math.max(1, Math.min(tk, causal ? qOffset + tq : tk)) * dim;
    int grain = (int) Math.max(1, Rows.PARALLEL_GRAIN / perRow);
    Parallel.forRange(rows, grain, (lo, hi) -> {
      float[] qRow = new float[dim], acc = new float[dim], score = new float[KEY_BLOCK];
      for (int row = lo; row < hi; row++) {
        int i = row % tq, h = (row / tq) % hq, b = row / (tq * hq), kh = h / group;
        long qAt = q.offset() + b * qs[0] + h * qs[1] + i * qs[2];
        long kAt = k.offset() + b * ks[0] + kh * ks[1], vAt = v.offset() + b * vs[0] + kh * vs[1];
        long oAt = out.offset() + b * os[0] + h * os[1] + i * os[2];
        int visible = causal ? Math.min(tk, qOffset + i + 1) : tk;
        scaledRow(sq, t, qAt, sc, qRow);
        Arrays.fill(acc, 0f);
        float max = Float.NEGATIVE_INFINITY;
        double denom = 0;
        for (int j0 = 0; j0 < visible; j0 += KEY_BLOCK) {
          int nb = Math.min(KEY_BLOCK, visible - j0);
          float newMax = Math.max(max, scores(qRow, sk, t, kAt + j0 * ks[2], ks[2], nb, score));
          float rescale = (float) Math.exp(max - newMax); // 0 on the first block
          denom = denom * rescale + exponentiate(score, nb, newMax);
          accumulate(acc, rescale, score, sv, t, vAt + j0 * vs[2], vs[2], nb);
          max = newMax;
        }
        // No visible keys (Tk = 0): zeros, as Reference.
        storeRow(acc, visible == 0 ? 0f : (float) (1 / denom), so, t, oAt);
        if (sl != null)
          Elements.set(sl, lse.dtype(), lse.offset() + b * ls[0] + h * ls[1] + i * ls[2], visible == 0 ? Double.NEGATIVE_INFINITY : max + Math.log(denom));
      }
    });
  }

  // The steps are separate small methods so that each is compiled with its vector calls inlined
  // (one large loop body exceeds C2's inlining budget, and vectors that are not inlined get boxed).

  /** row = q * scale, widened to float. */
  static void scaledRow(MemorySegment sq, DType t, long at, float scale, float[] row) {
    int dim = row.length, c = 0;
    for (; c <= dim - N; c += N) Lanes.load(sq, t, at + c).mul(scale).intoArray(row, c);
    if (c < dim) {
      VectorMask<Float> m = Lanes.tail(c, dim);
      Lanes.load(sq, t, at + c, m).mul(scale).intoArray(row, c, m);
    }
  }

  /** score[j] = q . k_j for the nb keys starting at kAt (step ks); returns their max. */
  static float scores(float[] q, MemorySegment sk, DType t, long kAt, long ks, int nb, float[] score) {
    int j = 0;
    // Four keys at a time: four independent FMA chains, and each q block loaded once for all four.
    for (; j <= nb - 4; j += 4) dot4(q, sk, t, kAt + j * ks, ks, score, j);
    for (; j < nb; j++) score[j] = dot(q, sk, t, kAt + j * ks);
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < nb; i++) max = Math.max(max, score[i]);
    return max;
  }

  static float dot(float[] q, MemorySegment sk, DType t, long at) {
    int dim = q.length, full = dim - dim % N;
    FloatVector d = Lanes.broadcast(0f);
    for (int c = 0; c < full; c += N) d = Lanes.fma(FloatVector.fromArray(F, q, c), Lanes.load(sk, t, at + c), d);
    if (full < dim) {
      VectorMask<Float> m = Lanes.tail(full, dim);
      d = Lanes.fma(FloatVector.fromArray(F, q, full, m), Lanes.load(sk, t, at + full, m), d);
    }
    return LaneSums.sum(d);
  }

  private static void dot4(float[] q, MemorySegment sk, DType t, long at, long ks, float[] score, int j) {
    int dim = q.length, full = dim - dim % N;
    FloatVector d0 = Lanes.broadcast(0f), d1 = d0, d2 = d0, d3 = d0;
    for (int c = 0; c < full; c += N) {
      FloatVector qc = FloatVector.fromArray(F, q, c);
      d0 = Lanes.fma(qc, Lanes.load(sk, t, at + c), d0);
      d1 = Lanes.fma(qc, Lanes.load(sk, t, at + ks + c), d1);
      d2 = Lanes.fma(qc, Lanes.load(sk, t, at + 2 * ks + c), d2);
      d3 = Lanes.fma(qc, Lanes.load(sk, t, at + 3 * ks + c), d3);
    }
    if (full < dim) {
      VectorMask<Float> m = Lanes.tail(full, dim);
      FloatVector qc = FloatVector.fromArray(F, q, full, m);
      d0 = Lanes.fma(qc, Lanes.load(sk, t, at + full, m), d0);
      d1 = Lanes.fma(qc, Lanes.load(sk, t, at + ks + full, m), d1);
      d2 = Lanes.fma(qc, Lanes.load(sk, t, at + 2 * ks + full, m), d2);
      d3 = Lanes.fma(qc, Lanes.load(sk, t, at + 3 * ks + full, m), d3);
    }
    score[j] = LaneSums.sum(d0);
    score[j + 1] = LaneSums.sum(d1);
    score[j + 2] = LaneSums.sum(d2);
    score[j + 3] = LaneSums.sum(d3);
  }

  /** score[j] = exp(score[j] - max) for j < nb; returns their sum. */
  private static double exponentiate(float[] score, int nb, float max) {
    FloatVector shift = Lanes.broadcast(max), sum = Lanes.broadcast(0f);
    for (int j = 0; j < nb; j += N) {
      VectorMask<Float> m = Lanes.tail(j, nb);
      FloatVector p = Lanes.exp(FloatVector.fromArray(F, score, j, m).sub(shift));
      p.intoArray(score, j, m);
      sum = sum.add(p, m);
    }
    return LaneSums.sum(sum);
  }

  /**
   * acc = acc * rescale + sum_j p[j] v_j over the nb value rows from vAt (step vs), one column
   * block at a time so that the running sum stays in a register.
   */
  private static void accumulate(float[] acc, float rescale, float[] p, MemorySegment sv, DType t, long vAt, long vs, int nb) {
    int dim = acc.length, c = 0;
    for (; c <= dim - N; c += N) {
      FloatVector a = FloatVector.fromArray(F, acc, c).mul(rescale);
      for (int j = 0; j < nb; j++) a = Lanes.fma(Lanes.broadcast(p[j]), Lanes.load(sv, t, vAt + j * vs + c), a);
      a.intoArray(acc, c);
    }
    if (c < dim) {
      VectorMask<Float> m = Lanes.tail(c, dim);
      FloatVector a = FloatVector.fromArray(F, acc, c, m).mul(rescale);
      for (int j = 0; j < nb; j++) a = Lanes.fma(Lanes.broadcast(p[j]), Lanes.load(sv, t, vAt + j * vs + c, m), a);
      a.intoArray(acc, c, m);
    }
  }

  /** out row = acc * inv. */
  private static void storeRow(float[] acc, float inv, MemorySegment so, DType t, long at) {
    int dim = acc.length, c = 0;
    for (; c <= dim - N; c += N) Lanes.store(FloatVector.fromArray(F, acc, c).mul(inv), so, t, at + c);
    if (c < dim) {
      VectorMask<Float> m = Lanes.tail(c, dim);
      Lanes.store(FloatVector.fromArray(F, acc, c, m).mul(inv), so, t, at + c, m);
    }
  }
}

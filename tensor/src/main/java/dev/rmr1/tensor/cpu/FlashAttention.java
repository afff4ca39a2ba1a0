package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.cpu.Lanes.F;
import static dev.rmr1.tensor.cpu.Lanes.N;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Attention for training, FlashAttention-2 style (Dao 2023, algorithms 1 and 2) on small float
 * tiles: the forward with an online softmax that also returns each query's log-sum-exp, and the
 * backward that rebuilds the probabilities of each (query block, key block) tile from it, so no
 * (Tq, Tk) buffer exists and tiles that the causal mask hides entirely are skipped.
 * {@link Reference#attention} and {@link Reference#attentionBackward} define the results. With
 * S = Q K^T and P = exp(scale S - lse) per tile:
 *
 * <pre>
 *   forward:  O = P V / rowsum(P)  (running max and sum over key blocks)
 *   backward: dP = dO V^T,   dS = P * (dP - delta) * scale,   dQ += dS K,   dK += dS^T Q,   dV += P^T dO
 * </pre>
 *
 * with delta = rowsum(dO * O), all as register-blocked tile products ({@link AttentionTiles#product})
 * on zero-padded float tiles.
 *
 * <p>The forward splits each KV head's queries into ranges of about equal work; the backward splits
 * each KV head's keys likewise: a task owns the dK and dV rows of its keys and sums each query's dQ
 * over its keys into a private buffer, and the buffers of a KV head are added in a fixed order
 * afterwards, so results do not depend on scheduling. Accumulation is in float.
 */
final class FlashAttention {
  private FlashAttention() {}

  /** Keys per tile (a multiple of the register block's columns for every vector width). */
  static final int KEY_BLOCK = 64;
  /** Queries per tile. */
  static final int QUERY_BLOCK = 32;
  /** Smallest key range worth a task of its own. */
  private static final int MIN_KEYS_PER_TASK = 32;

  /** out = attention(q, k, v) and, unless null, lse (B, Hq, Tq) = each query's log-sum-exp of its scaled visible scores. */
  static void forward(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    int batch = q.size(0), hq = q.size(1), tq = q.size(2), dim = q.size(3), hkv = k.size(1), tk = k.size(2);
    int group = hq / hkv, heads = batch * hkv;
    int splits = (int) Math.max(1, Math.min((2L * Parallel.threads() + heads - 1) / heads, tq / QUERY_BLOCK));
    // query i sees qOffset + i + 1 keys when causal
    int[] bounds = ranges(splits, tq, i -> causal ? Math.max(0, Math.min(tk, qOffset + i + 1)) : tk);
    int padDim = AttentionTiles.roundUp(Math.max(dim, 1), AttentionTiles.NR);
    Parallel.forRange(heads * splits, 1, (lo, hi) -> {
      for (int task = lo; task < hi; task++) {
        int head = task / splits, part = task % splits;
        forwardTask(out, lse, q, k, v, (float) scale, causal, qOffset, group, padDim, head / hkv, head % hkv, bounds[part], bounds[part + 1]);
      }
    });
  }

  /** Queries [i0, i1) of every query head of KV head kh of batch row b. */
  private static void forwardTask(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, float scale, boolean causal, int qOffset, int group,
      int dp, int b, int kh, int i0, int i1) {
    final int kb = KEY_BLOCK, qb = QUERY_BLOCK;
    int dim = q.size(3), tk = k.size(2);
    int keys = causal ? Math.max(0, Math.min(tk, qOffset + i1)) : tk; // keys any query of the range sees
    int tkp = AttentionTiles.roundUp(Math.max(keys, 1), kb);
    DType t = q.dtype();
    MemorySegment sq = Elements.segment(q), sk = Elements.segment(k), sv = Elements.segment(v), so = Elements.segment(out);
    MemorySegment sl = lse == null ? null : Elements.segment(lse);
    long[] qs = q.strides(), ks = k.strides(), vs = v.strides(), os = out.strides(), ls = lse == null ? null : lse.strides();
    float[] kT = new float[dp * tkp], vRows = new float[tkp * dp];
    AttentionTiles.loadRowsTransposed(sk, t, k.offset() + b * ks[0] + kh * ks[1], ks[2], keys, dim, kT, tkp, dp);
    AttentionTiles.loadRows(sv, t, v.offset() + b * vs[0] + kh * vs[1], vs[2], keys, dim, vRows, dp, tkp);
    float[] qTile = new float[qb * dp], sTile = new float[qb * kb], oTile = new float[qb * dp], max = new float[qb];
    double[] sum = new double[qb];
    for (int g = 0; g < group; g++) {
      int h = kh * group + g;
      for (int ib = i0; ib < i1; ib += qb) {
        int nq = Math.min(qb, i1 - ib);
        AttentionTiles.loadRows(sq, t, q.offset() + b * qs[0] + h * qs[1] + ib * qs[2], qs[2], nq, dim, qTile, dp, qb);
        java.util.Arrays.fill(oTile, 0f);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(sum, 0);
        int last = causal ? Math.max(0, Math.min(tk, qOffset + ib + nq)) : tk;
        for (int jb = 0; jb < last; jb += kb) {
          int nk = Math.min(kb, last - jb);
          AttentionTiles.product(qTile, 0, dp, 1, kT, jb, tkp, sTile, 0, kb, qb, kb, dp, false); // S = Q K^T
          int diagonal = causal ? qOffset + ib - jb : Integer.MAX_VALUE / 2;
          for (int r = 0; r < qb; r++) {
            int visible = r < nq ? Math.min(nk, Math.max(0, diagonal + r + 1)) : 0;
            float m = Math.max(max[r], rowMax(sTile, r * kb, visible, scale));
            if (visible == 0 || m == Float.NEGATIVE_INFINITY) {
              java.util.Arrays.fill(sTile, r * kb, r * kb + kb, 0f);
              continue;
            }
            float rescale = (float) Math.exp(max[r] - m); // 0 on the first block
            sum[r] = sum[r] * rescale + exponentiate(sTile, r * kb, visible, scale, m);
            if (rescale != 1f) scaleRow(oTile, r * dp, dp, rescale);
            max[r] = m;
          }
          AttentionTiles.product(sTile, 0, kb, 1, vRows, jb * dp, dp, oTile, 0, dp, qb, dp, kb, true); // O += P V
        }
        for (int r = 0; r < nq; r++) {
          int i = ib + r;
          boolean none = sum[r] == 0;
          scaleRow(oTile, r * dp, dp, none ? 0f : (float) (1 / sum[r]));
          AttentionTiles.storeRow(oTile, r * dp, dim, so, out.dtype(), out.offset() + b * os[0] + h * os[1] + i * os[2]);
          if (sl != null)
            Elements.set(sl, lse.dtype(), lse.offset() + b * ls[0] + h * ls[1] + i * ls[2], none ? Double.NEGATIVE_INFINITY : max[r] + Math.log(sum[r]));
        }
      }
    }
  }

  static void backward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, double scale,
      boolean causal, int qOffset) {
    int batch = q.size(0), hq = q.size(1), tq = q.size(2), dim = q.size(3), hkv = k.size(1), tk = k.size(2);
    int group = hq / hkv, heads = batch * hkv;
    int splits = (int) Math.max(1, Math.min((2L * Parallel.threads() + heads - 1) / heads, tk / MIN_KEYS_PER_TASK));
    int[] bounds = keyRanges(splits, tq, tk, causal, qOffset);
    Problem p = new Problem(dk, dv, dOut, q, k, v, out, lse, (float) scale, causal, qOffset, group, dim, AttentionTiles.roundUp(Math.max(dim, 1),
        AttentionTiles.NR), tq);
    float[][] dqParts = new float[heads * splits][];
    Parallel.forRange(heads * splits, 1, (lo, hi) -> {
      for (int task = lo; task < hi; task++) {
        int head = task / splits, part = task % splits;
        dqParts[task] = p.run(head / hkv, head % hkv, bounds[part], bounds[part + 1]);
      }
    });
    // dQ of KV head (b, kh): its query heads' rows, summed over the key ranges in order.
    MemorySegment sdq = Elements.segment(dq);
    long[] qs = dq.strides();
    Parallel.forRange(heads, 1, (lo, hi) -> {
      for (int head = lo; head < hi; head++) {
        float[] sum = dqParts[head * splits];
        for (int part = 1; part < splits; part++) add(sum, dqParts[head * splits + part]);
        int b = head / hkv, kh = head % hkv;
        for (int g = 0; g < group; g++)
          for (int i = 0; i < tq; i++)
            AttentionTiles.storeRow(sum, (g * tq + i) * p.padDim, dim, sdq, dq.dtype(), dq.offset() + b * qs[0] + (kh * group + g) * qs[1] + i * qs[2]);
      }
    });
  }

  /**
   * Key boundaries of {@code splits} ranges with about equal numbers of visible (query, key) pairs:
   * causal key j is seen by the queries at positions >= j.
   */
  static int[] keyRanges(int splits, int tq, int tk, boolean causal, int qOffset) {
    return ranges(splits, tk, j -> causal ? Math.max(0, Math.min(tq, qOffset + tq - j)) : tq);
  }

  /** Boundaries 0 = b[0] <= ... <= b[splits] = n of ranges of [0, n) with about equal total work(i). */
  static int[] ranges(int splits, int n, java.util.function.IntToLongFunction work) {
    long[] before = new long[n + 1];
    for (int i = 0; i < n; i++) before[i + 1] = before[i] + work.applyAsLong(i);
    int[] bounds = new int[splits + 1];
    int i = 0;
    for (int s = 1; s < splits; s++) {
      long target = before[n] * s / splits;
      while (i < n && before[i] < target) i++;
      bounds[s] = i;
    }
    bounds[splits] = n;
    return bounds;
  }

  /** Operands of one call; {@link #run} does one task. Tiles are row-major with rows padded to {@code padDim} floats. */
  private record Problem(Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, float scale, boolean causal,
      int qOffset, int group, int dim, int padDim, int tq) {
    /**
     * Gradients for keys [j0, j1) of KV head kh of batch row b; returns the dQ partial sums: group * tq
     * rows of padDim (query head g, position i at row g * tq + i), plus one query block of slack.
     */
    float[] run(int b, int kh, int j0, int j1) {
      final int kb = KEY_BLOCK, qb = QUERY_BLOCK, dp = padDim;
      DType t = q.dtype();
      MemorySegment sq = Elements.segment(q), sk = Elements.segment(k), sv = Elements.segment(v), sg = Elements.segment(dOut);
      long[] qs = q.strides(), ks = k.strides(), vs = v.strides(), gs = dOut.strides();
      long kAt = k.offset() + b * ks[0] + kh * ks[1], vAt = v.offset() + b * vs[0] + kh * vs[1];
      float[] lseRows = new float[group * tq], deltaRows = new float[group * tq];
      rowStatistics(b, kh, lseRows, deltaRows);
      float[] dqAcc = new float[(group * tq + qb) * dp];
      float[] kRows = new float[kb * dp], kT = new float[dp * kb], vT = new float[dp * kb], dkAcc = new float[kb * dp], dvAcc = new float[kb * dp];
      float[] qTile = new float[qb * dp], gTile = new float[qb * dp], pTile = new float[qb * kb], dsTile = new float[qb * kb];
      for (int jb = j0; jb < j1; jb += kb) {
        int nk = Math.min(kb, j1 - jb);
        AttentionTiles.loadRows(sk, t, kAt + jb * ks[2], ks[2], nk, dim, kRows, dp, kb);
        AttentionTiles.loadRowsTransposed(sk, t, kAt + jb * ks[2], ks[2], nk, dim, kT, kb, dp);
        AttentionTiles.loadRowsTransposed(sv, t, vAt + jb * vs[2], vs[2], nk, dim, vT, kb, dp);
        java.util.Arrays.fill(dkAcc, 0f);
        java.util.Arrays.fill(dvAcc, 0f);
        // the first query that sees key jb
        int first = causal ? Math.max(0, jb - qOffset) : 0;
        for (int g = 0; g < group; g++) {
          int h = kh * group + g;
          for (int i0 = first; i0 < tq; i0 += qb) {
            int nq = Math.min(qb, tq - i0);
            AttentionTiles.loadRows(sq, t, q.offset() + b * qs[0] + h * qs[1] + i0 * qs[2], qs[2], nq, dim, qTile, dp, qb);
            AttentionTiles.loadRows(sg, dOut.dtype(), dOut.offset() + b * gs[0] + h * gs[1] + i0 * gs[2], gs[2], nq, dim, gTile, dp, qb);
            AttentionTiles.product(qTile, 0, dp, 1, kT, 0, kb, pTile, 0, kb, qb, kb, dp, false);  // S = Q K^T
            AttentionTiles.product(gTile, 0, dp, 1, vT, 0, kb, dsTile, 0, kb, qb, kb, dp, false); // dP = dO V^T
            int row = g * tq + i0;
            scoreGradients(pTile, dsTile, nq, nk, lseRows, deltaRows, row, causal ? qOffset + i0 - jb : Integer.MAX_VALUE / 2);
            AttentionTiles.product(dsTile, 0, kb, 1, kRows, 0, dp, dqAcc, row * dp, dp, qb, dp, kb, true); // dQ += dS K
            AttentionTiles.product(dsTile, 0, 1, kb, qTile, 0, dp, dkAcc, 0, dp, kb, dp, qb, true);        // dK += dS^T Q
            AttentionTiles.product(pTile, 0, 1, kb, gTile, 0, dp, dvAcc, 0, dp, kb, dp, qb, true);         // dV += P^T dO
          }
        }
        MemorySegment sdk = Elements.segment(dk), sdv = Elements.segment(dv);
        long[] dks = dk.strides(), dvs = dv.strides();
        for (int j = 0; j < nk; j++) {
          AttentionTiles.storeRow(dkAcc, j * dp, dim, sdk, dk.dtype(), dk.offset() + b * dks[0] + kh * dks[1] + (jb + j) * dks[2]);
          AttentionTiles.storeRow(dvAcc, j * dp, dim, sdv, dv.dtype(), dv.offset() + b * dvs[0] + kh * dvs[1] + (jb + j) * dvs[2]);
        }
      }
      return dqAcc;
    }

    /** lse and delta = dOut . out of every query row of KV head (b, kh): row g * tq + i. */
    private void rowStatistics(int b, int kh, float[] lseRows, float[] deltaRows) {
      MemorySegment sl = Elements.segment(lse), sg = Elements.segment(dOut), so = Elements.segment(out);
      long[] ls = lse.strides(), gs = dOut.strides(), os = out.strides();
      float[] gRow = new float[dim], oRow = new float[dim];
      for (int g = 0; g < group; g++) {
        int h = kh * group + g;
        for (int i = 0; i < tq; i++) {
          lseRows[g * tq + i] = (float) Elements.get(sl, lse.dtype(), lse.offset() + b * ls[0] + h * ls[1] + i * ls[2]);
          VectorAttention.scaledRow(sg, dOut.dtype(), dOut.offset() + b * gs[0] + h * gs[1] + i * gs[2], 1f, gRow);
          VectorAttention.scaledRow(so, out.dtype(), out.offset() + b * os[0] + h * os[1] + i * os[2], 1f, oRow);
          deltaRows[g * tq + i] = dot(gRow, oRow);
        }
      }
    }

    /**
     * On entry p holds the scores q.k and ds the products dO.v of a tile; on exit p = exp(scale s - lse)
     * and ds = p (ds - delta) scale, both 0 outside the nq x nk tile and where key j lies after
     * query r (j > r + diagonal, diagonal = the query's position minus the tile's first key).
     */
    private void scoreGradients(float[] p, float[] ds, int nq, int nk, float[] lseRows, float[] deltaRows, int row, int diagonal) {
      int kb = KEY_BLOCK;
      for (int r = 0; r < QUERY_BLOCK; r++) {
        int visible = r < nq ? Math.min(nk, Math.max(0, diagonal + r + 1)) : 0;
        tileRow(p, ds, r * kb, visible, r < nq ? lseRows[row + r] : 0f, r < nq ? deltaRows[row + r] : 0f, scale);
      }
    }
  }

  // Small methods, so that each is compiled with its vector calls inlined (see VectorAttention).

  /** One row of {@link Problem#scoreGradients}: columns [0, visible) computed, [visible, KEY_BLOCK) zeroed. */
  private static void tileRow(float[] p, float[] ds, int at, int visible, float lse, float delta, float scale) {
    FloatVector l = Lanes.broadcast(lse), d = Lanes.broadcast(delta);
    for (int j = 0; j < KEY_BLOCK; j += N) {
      if (j >= visible) {
        FloatVector.zero(F).intoArray(p, at + j);
        FloatVector.zero(F).intoArray(ds, at + j);
        continue;
      }
      FloatVector e = Lanes.exp(FloatVector.fromArray(F, p, at + j).mul(scale).sub(l));
      if (j + N > visible) e = e.blend(0f, Lanes.tail(j, visible).not());
      e.intoArray(p, at + j);
      e.mul(FloatVector.fromArray(F, ds, at + j).sub(d)).mul(scale).intoArray(ds, at + j);
    }
  }

  /** max over j < visible of s[at + j] * scale; -inf when visible is 0. */
  private static float rowMax(float[] s, int at, int visible, float scale) {
    FloatVector m = Lanes.broadcast(Float.NEGATIVE_INFINITY);
    for (int j = 0; j < visible; j += N) {
      VectorMask<Float> in = Lanes.tail(j, visible);
      m = m.lanewise(VectorOperators.MAX, FloatVector.fromArray(F, s, at + j).mul(scale), in);
    }
    return m.reduceLanes(VectorOperators.MAX);
  }

  /** s[at + j] = exp(s[at + j] * scale - max) for j < visible and 0 up to KEY_BLOCK; returns the sum. */
  private static double exponentiate(float[] s, int at, int visible, float scale, float max) {
    FloatVector shift = Lanes.broadcast(max), total = Lanes.broadcast(0f);
    for (int j = 0; j < KEY_BLOCK; j += N) {
      if (j >= visible) {
        FloatVector.zero(F).intoArray(s, at + j);
        continue;
      }
      FloatVector e = Lanes.exp(FloatVector.fromArray(F, s, at + j).mul(scale).sub(shift));
      if (j + N > visible) e = e.blend(0f, Lanes.tail(j, visible).not());
      e.intoArray(s, at + j);
      total = total.add(e);
    }
    return LaneSums.sum(total);
  }

  /** x[at .. at + n) *= f (n a multiple of the vector length). */
  private static void scaleRow(float[] x, int at, int n, float f) {
    for (int c = 0; c < n; c += N) FloatVector.fromArray(F, x, at + c).mul(f).intoArray(x, at + c);
  }

  /** sum[i] += part[i]. */
  private static void add(float[] sum, float[] part) {
    int n = sum.length, c = 0;
    for (; c <= n - N; c += N) FloatVector.fromArray(F, sum, c).add(FloatVector.fromArray(F, part, c)).intoArray(sum, c);
    for (; c < n; c++) sum[c] += part[c];
  }

  private static float dot(float[] a, float[] b) {
    FloatVector d = Lanes.broadcast(0f);
    int c = 0;
    for (; c <= a.length - N; c += N) d = Lanes.fma(FloatVector.fromArray(F, a, c), FloatVector.fromArray(F, b, c), d);
    if (c < a.length) {
      VectorMask<Float> m = Lanes.tail(c, a.length);
      d = Lanes.fma(FloatVector.fromArray(F, a, c, m), FloatVector.fromArray(F, b, c, m), d);
    }
    return LaneSums.sum(d);
  }
}

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

  static void attention(Tensor out, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    DType t = q.dtype();
    MemorySegment so = Elements.segment(out), sq = Elements.segment(q), sk = Elements.segment(k), sv = Elements.segment(v);
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
        if (visible == 0) { // no keys: zeros, as Reference
          for (int c = 0; c < dim; c += N) Lanes.store(Lanes.broadcast(0f), so, t, oAt + c, Lanes.tail(c, dim));
          continue;
        }
        for (int c = 0; c < dim; c += N) {
          VectorMask<Float> m = Lanes.tail(c, dim);
          Lanes.load(sq, t, qAt + c, m).mul(sc).intoArray(qRow, c, m);
        }
        Arrays.fill(acc, 0f);
        float max = Float.NEGATIVE_INFINITY;
        double denom = 0;
        for (int j0 = 0; j0 < visible; j0 += KEY_BLOCK) {
          int nb = Math.min(KEY_BLOCK, visible - j0);
          // Scores of this block: (q * scale) . k_j.
          float blockMax = Float.NEGATIVE_INFINITY;
          for (int jj = 0; jj < nb; jj++) {
            long kj = kAt + (j0 + jj) * ks[2];
            FloatVector d = Lanes.broadcast(0f);
            for (int c = 0; c < dim; c += N) {
              VectorMask<Float> m = Lanes.tail(c, dim);
              d = Lanes.fma(FloatVector.fromArray(F, qRow, c, m), Lanes.load(sk, t, kj + c, m), d);
            }
            float s = d.reduceLanes(VectorOperators.ADD);
            score[jj] = s;
            blockMax = Math.max(blockMax, s);
          }
          float newMax = Math.max(max, blockMax);
          float rescale = (float) Math.exp(max - newMax); // 0 on the first block
          FloatVector shift = Lanes.broadcast(newMax);
          FloatVector psum = Lanes.broadcast(0f);
          for (int jj = 0; jj < nb; jj += N) {
            VectorMask<Float> m = Lanes.tail(jj, nb);
            FloatVector p = Lanes.exp(FloatVector.fromArray(F, score, jj, m).sub(shift));
            p.intoArray(score, jj, m);
            psum = psum.add(p, m);
          }
          denom = denom * rescale + psum.reduceLanes(VectorOperators.ADD);
          // acc = acc * rescale + sum_j p_j v_j, one column block at a time so it stays in a register.
          for (int c = 0; c < dim; c += N) {
            VectorMask<Float> m = Lanes.tail(c, dim);
            FloatVector a = FloatVector.fromArray(F, acc, c, m).mul(rescale);
            for (int jj = 0; jj < nb; jj++)
              a = Lanes.fma(Lanes.broadcast(score[jj]), Lanes.load(sv, t, vAt + (j0 + jj) * vs[2] + c, m), a);
            a.intoArray(acc, c, m);
          }
          max = newMax;
        }
        float inv = (float) (1 / denom);
        for (int c = 0; c < dim; c += N) {
          VectorMask<Float> m = Lanes.tail(c, dim);
          Lanes.store(FloatVector.fromArray(F, acc, c, m).mul(inv), so, t, oAt + c, m);
        }
      }
    });
  }
}

package dev.rmr1.autograd;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.FusedAttention;
import dev.rmr1.tensor.Tensor;
import java.util.Arrays;

/**
 * Scaled dot-product attention with grouped KV heads, q (B, Hq, Tq, D), k and v (B, Hkv, Tk, D),
 * Hq = G * Hkv (query head h reads KV head h / G, as Hugging Face's {@code repeat_kv}).
 *
 * <p>Without gradients the fused {@link Tensor#attention} kernel runs. With gradients, a backend
 * with the {@link FusedAttention} capability (the CPU's training kernels, the GPU's blocked
 * products) runs the forward, which also returns the log-sum-exp per query, and the backward, which
 * recomputes the probabilities from it.
 *
 * <p>Otherwise the composed path runs: the forward goes per block of query rows on matrix
 * products (so the block's log-sum-exp is at hand) and saves only the output and the log-sum-exp
 * per query (B, Hq, Tq, 1). The backward recomputes each block's probabilities P = exp(S - lse)
 * from q and k (FlashAttention-2, Dao 2023, algorithm 2):
 *
 * <pre>
 *   dV += P^T dO,   dP = dO V^T,   dS = P * (dP - rowsum(dO * O)) * scale,   dQ = dS K,   dK += dS^T Q
 * </pre>
 *
 * Working memory is one block of scores, at most {@link #BLOCK_ELEMENTS} elements, never the whole
 * (Tq, Tk) matrix. The G query heads that share a KV head are stacked into one matrix of G * rows
 * rows, so K and V are never repeated. Causal blocks stop at the last key their queries can see.
 */
final class AttentionOp {
  /** Upper bound on the elements of one block's score matrix (B, Hq, rows, keys). */
  static final long BLOCK_ELEMENTS = 1L << 22;

  private AttentionOp() {}

  static Var apply(Var q, Var k, Var v, double scale, boolean causal, int qOffset) {
    Tensor qd = q.data(), kd = k.data(), vd = v.data();
    if (!Grad.needed(q, k, v)) return Var.constant(Tensor.attention(qd, kd, vd, scale, causal, qOffset));
    if (qd.backend() instanceof FusedAttention fused && qd.device().equals(kd.device()) && qd.device().equals(vd.device())
        && fused.fusedAttentionSupports(qd, kd, vd))
      return fused(fused, q, k, v, scale, causal, qOffset);
    return apply(q, k, v, scale, causal, qOffset, BLOCK_ELEMENTS);
  }

  /** With gradients on a backend with fused training attention: saves the output and the log-sum-exp (B, Hq, Tq). */
  static Var fused(FusedAttention kernels, Var q, Var k, Var v, double scale, boolean causal, int qOffset) {
    Tensor qd = q.data(), kd = k.data(), vd = v.data();
    Geometry geo = new Geometry(qd, kd, vd, causal, qOffset, BLOCK_ELEMENTS); // checks the shapes
    Tensor out = Tensor.empty(qd.device(), qd.dtype(), qd.shape());
    Tensor lse = Tensor.empty(qd.device(), FusedAttention.lseType(qd.dtype()), geo.b, geo.hq, geo.tq);
    kernels.attentionForward(out, lse, qd, kd, vd, scale, causal, qOffset);
    return Var.recorded("attention", out, g -> {
      Tensor dq = Tensor.empty(qd.device(), qd.dtype(), qd.shape());
      Tensor dk = Tensor.empty(kd.device(), kd.dtype(), kd.shape());
      Tensor dv = Tensor.empty(vd.device(), vd.dtype(), vd.shape());
      kernels.attentionBackward(dq, dk, dv, g, qd, kd, vd, out, lse, scale, causal, qOffset);
      Tensor[] grads = {dq, dk, dv};
      Var[] inputs = {q, k, v};
      for (int i = 0; i < 3; i++)
        if (!inputs[i].requiresGrad()) {
          grads[i].close();
          grads[i] = null;
        }
      return grads;
    }, new Tensor[] {lse}, q, k, v);
  }

  /**
   * The composed path (any device) with a bound on a block's score elements; the reference for the
   * fused kernels in tests.
   */
  static Var apply(Var q, Var k, Var v, double scale, boolean causal, int qOffset, long blockElements) {
    Tensor qd = q.data(), kd = k.data(), vd = v.data();
    if (!Grad.needed(q, k, v)) return Var.constant(Tensor.attention(qd, kd, vd, scale, causal, qOffset));
    Geometry geo = new Geometry(qd, kd, vd, causal, qOffset, blockElements);
    Tensor out = Tensor.empty(qd.device(), qd.dtype(), qd.shape());
    Tensor lse = Tensor.empty(qd.device(), qd.dtype(), geo.b, geo.hq, geo.tq, 1);
    try (Tensor q5 = geo.split(qd); Tensor out5 = geo.split(out); Tensor lse5 = geo.split(lse)) {
      for (int i0 = 0; i0 < geo.tq; i0 += geo.blockRows) {
        int rows = Math.min(geo.blockRows, geo.tq - i0);
        int keys = geo.keysSeen(i0, rows);
        try (Tensor qb = geo.stackRows(q5, i0, rows); Tensor kb = kd.narrow(2, 0, keys); Tensor vb = vd.narrow(2, 0, keys);
            Tensor s = geo.scores(qb, kb, scale, i0, rows); Tensor l = s.logsumexp(-1, true)) {
          s.subInPlace(l);
          try (Tensor p = s.exp(); Tensor o = p.matmul(vb); Tensor o5 = geo.unstackRows(o, rows); Tensor l5 = geo.unstackRows(l, rows);
              Tensor outBlock = out5.narrow(3, i0, rows); Tensor lseBlock = lse5.narrow(3, i0, rows)) {
            outBlock.copyFrom(o5);
            lseBlock.copyFrom(l5);
          }
        }
      }
    }
    return Var.recorded("attention", out, g -> backward(g, q, k, v, out, lse, geo, scale), new Tensor[] {lse}, q, k, v);
  }

  private static Tensor[] backward(Tensor dOut, Var q, Var k, Var v, Tensor out, Tensor lse, Geometry geo, double scale) {
    Tensor qd = q.data(), kd = k.data(), vd = v.data();
    boolean needQ = q.requiresGrad(), needK = k.requiresGrad(), needV = v.requiresGrad();
    Tensor dq = needQ ? Tensor.empty(qd.device(), qd.dtype(), qd.shape()) : null;
    Tensor dk = needK ? Tensor.zeros(kd.device(), kd.dtype(), kd.shape()) : null;
    Tensor dv = needV ? Tensor.zeros(vd.device(), vd.dtype(), vd.shape()) : null;
    try (Tensor prod = dOut.mul(out); Tensor delta = prod.sum(-1, true); Tensor delta5 = geo.split(delta);
        Tensor q5 = geo.split(qd); Tensor dO5 = geo.split(dOut); Tensor lse5 = geo.split(lse); Tensor dq5 = needQ ? geo.split(dq) : null) {
      for (int i0 = 0; i0 < geo.tq; i0 += geo.blockRows) {
        int rows = Math.min(geo.blockRows, geo.tq - i0);
        int keys = geo.keysSeen(i0, rows);
        try (Tensor qb = geo.stackRows(q5, i0, rows); Tensor kb = kd.narrow(2, 0, keys); Tensor vb = vd.narrow(2, 0, keys);
            Tensor s = geo.scores(qb, kb, scale, i0, rows); Tensor lb = geo.stackRows(lse5, i0, rows); Tensor dOb = geo.stackRows(dO5, i0, rows)) {
          s.subInPlace(lb);
          try (Tensor p = s.exp()) {
            if (needV) {
              try (Tensor pt = p.transpose(-1, -2); Tensor part = pt.matmul(dOb); Tensor dvb = dv.narrow(2, 0, keys)) {
                dvb.addInPlace(part);
              }
            }
            if (needQ || needK) {
              try (Tensor vt = vb.transpose(-1, -2); Tensor ds = dOb.matmul(vt); Tensor db = geo.stackRows(delta5, i0, rows)) {
                ds.subInPlace(db);
                ds.mulInPlace(p);
                ds.mulInPlace(scale);
                if (needQ) {
                  try (Tensor dqb = ds.matmul(kb); Tensor dq5b = geo.unstackRows(dqb, rows); Tensor dst = dq5.narrow(3, i0, rows)) {
                    dst.copyFrom(dq5b);
                  }
                }
                if (needK) {
                  try (Tensor dst = ds.transpose(-1, -2); Tensor part = dst.matmul(qb); Tensor dkb = dk.narrow(2, 0, keys)) {
                    dkb.addInPlace(part);
                  }
                }
              }
            }
          }
        }
      }
    } catch (RuntimeException e) {
      for (Tensor t : new Tensor[] {dq, dk, dv}) if (t != null) t.close();
      throw e;
    }
    return new Tensor[] {dq, dk, dv};
  }

  /** Shapes, checks and the block layout of one attention call. */
  private static final class Geometry {
    final int b, hq, tq, d, hkv, tk, group, blockRows, qOffset;
    final boolean causal;

    Geometry(Tensor q, Tensor k, Tensor v, boolean causal, int qOffset, long blockElements) {
      if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4)
        throw new IllegalArgumentException("attention expects (B, H, T, D) tensors, got q " + Arrays.toString(q.shape())
            + " k " + Arrays.toString(k.shape()) + " v " + Arrays.toString(v.shape()));
      if (!Arrays.equals(k.shape(), v.shape()) || q.size(0) != k.size(0) || q.size(3) != k.size(3) || k.size(1) == 0 || q.size(1) % k.size(1) != 0)
        throw new IllegalArgumentException("attention: incompatible shapes q " + Arrays.toString(q.shape()) + " k " + Arrays.toString(k.shape())
            + " v " + Arrays.toString(v.shape()) + " (need equal B and D, Hq a multiple of Hkv)");
      if (q.dtype() != k.dtype() || q.dtype() != v.dtype())
        throw new IllegalArgumentException("attention: dtypes " + q.dtype() + "/" + k.dtype() + "/" + v.dtype() + " differ");
      if (causal && (qOffset < 0 || qOffset + q.size(2) > k.size(2)))
        throw new IllegalArgumentException("attention: qOffset " + qOffset + " with " + q.size(2) + " queries exceeds " + k.size(2) + " keys");
      b = q.size(0);
      hq = q.size(1);
      tq = q.size(2);
      d = q.size(3);
      hkv = k.size(1);
      tk = k.size(2);
      group = hq / hkv;
      this.causal = causal;
      this.qOffset = qOffset;
      long perRow = Math.max(1L, (long) b * hq * tk);
      blockRows = (int) Math.max(1, Math.min(Math.max(tq, 1), blockElements / perRow));
    }

    /** Keys visible to query rows [i0, i0 + rows): all of them, or up to the last row's position when causal. */
    int keysSeen(int i0, int rows) {
      return causal ? Math.min(tk, qOffset + i0 + rows) : tk;
    }

    /** (B, Hq, T, X) viewed as (B, Hkv, G, T, X): query head h = kv * G + g. */
    Tensor split(Tensor t) {
      long[] st = t.strides();
      int[] shape = {b, hkv, group, t.size(2), t.size(3)};
      long[] strides = {st[0], st[1] * group, st[1], st[2], st[3]};
      return Tensor.wrap(t.storage(), t.dtype(), shape, strides, t.offset());
    }

    /** Rows [i0, i0 + rows) of a split tensor as a dense (B, Hkv, G * rows, X) matrix stack. */
    Tensor stackRows(Tensor t5, int i0, int rows) {
      try (Tensor part = t5.narrow(3, i0, rows)) {
        return part.reshape(b, hkv, group * rows, t5.size(4));
      }
    }

    /** The inverse of {@link #stackRows}: (B, Hkv, G * rows, X) as (B, Hkv, G, rows, X). */
    Tensor unstackRows(Tensor t, int rows) {
      return t.view(b, hkv, group, rows, t.size(3));
    }

    /** Scaled, masked scores of stacked query rows against keys [0, kb.size(2)): (B, Hkv, G * rows, keys). */
    Tensor scores(Tensor qb, Tensor kb, double scale, int i0, int rows) {
      int keys = kb.size(2);
      Tensor s;
      try (Tensor kt = kb.transpose(-1, -2)) {
        s = qb.matmul(kt);
      }
      s.mulInPlace(scale);
      int first = qOffset + i0;
      if (causal && first < keys - 1) {
        // query at absolute position first + r sees keys 0 .. first + r; the mask is built on the
        // device from two index vectors (a host-built (rows, keys) mask stalled a GPU per block)
        try (Tensor col = Tensor.arange(s.device(), DType.F64, keys); Tensor row = Tensor.arange(s.device(), DType.F64, rows);
            Tensor pos = row.add(first); Tensor posCol = pos.view(rows, 1); Tensor hidden = col.gt(posCol);
            Tensor inf = Tensor.scalar(s.device(), s.dtype(), Double.NEGATIVE_INFINITY); Tensor zero = Tensor.scalar(s.device(), s.dtype(), 0);
            Tensor m = Tensor.where(hidden, inf, zero); Tensor s5 = s.view(b, hkv, group, rows, keys)) {
          s5.addInPlace(m);
        }
      }
      return s;
    }
  }
}

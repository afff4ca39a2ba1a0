package dev.rmr1.cuda;

import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Attention for training on the GPU ({@link CudaBackend}'s {@code FusedAttention} capability): the
 * four products of each direction run on cuBLAS (tensor cores with TF32 when enabled), the softmax
 * and the score gradient in two kernels of {@code rmr1_kernels.cu} ({@code rmr1_attn_probs},
 * {@code rmr1_attn_dscores}). Only the output and the log-sum-exp per query are kept for the
 * backward, which recomputes the probabilities (FlashAttention-2, Dao 2023, algorithm 2):
 *
 * <pre>
 *   P = exp(scale Q K^T - lse),  dV = P^T dO,  dS = P * (dO V^T - rowsum(dO * O)) * scale,  dQ = dS K,  dK = dS^T Q
 * </pre>
 *
 * <p>Layout: dense q (B, Hq, Tq, D) is (B * Hkv, G * Tq, D), the G query heads of each KV head
 * stacked (h = kv * G + g, as Hugging Face's {@code repeat_kv}), so K and V are never repeated and
 * one strided-batched product covers every (batch, KV head) pair; lse (B, Hq, Tq) has the same row
 * order. A block is as many whole pairs as fit {@code maxScores} score elements; a pair too large
 * for that is cut into (head, rows) blocks whose keys end at the last one a causal query sees, and
 * their dK and dV are summed. Each block holds one (two in the backward) F32 score buffer.
 *
 * <p>F32 operands with any strides (copied dense when they are views); other dtypes take autograd's
 * composed path.
 */
final class CudaAttention {
  /** Score elements of one block: 256 MiB of F32 per buffer. */
  static final long MAX_SCORES = 1L << 26;

  private final CudaBackend backend;
  private final long maxScores;

  CudaAttention(CudaBackend backend, long maxScores) {
    this.backend = backend;
    this.maxScores = maxScores;
  }

  boolean supports(Tensor q, Tensor k, Tensor v) {
    return q.dtype() == DType.F32 && k.dtype() == DType.F32 && v.dtype() == DType.F32 && q.size(3) > 0;
  }

  /** Shapes of one call: B, Hq, Tq, D, Hkv, Tk and G = Hq / Hkv. */
  private record Geometry(int b, int hq, int tq, int d, int hkv, int tk, int group) {
    static Geometry of(Tensor q, Tensor k) {
      return new Geometry(q.size(0), q.size(1), q.size(2), q.size(3), k.size(1), k.size(2), q.size(1) / k.size(1));
    }

    int pairs() {
      return b * hkv;
    }
  }

  /**
   * Stacked query rows [row0, row0 + rows) of pairs [pair0, pair0 + pairs) against keys [0, keys).
   * The query of stacked row r sits at absolute position firstPos + r % period; {@code partial}
   * blocks add their dK, dV to those of other blocks of the same pair.
   */
  record Block(int pair0, int pairs, int row0, int rows, int keys, long firstPos, long period, boolean partial) {
    long lseRow(int stackedRowsPerPair) {
      return (long) pair0 * stackedRowsPerPair + row0;
    }
  }

  /** The blocks of a call, in the order forward and backward visit them. */
  static List<Block> blocks(int pairs, int group, int tq, int tk, boolean causal, int qOffset, long maxScores) {
    List<Block> out = new ArrayList<>();
    int stacked = group * tq;
    long perPair = (long) stacked * tk;
    if (perPair <= maxScores) {
      int step = (int) Math.max(1, Math.min(pairs, maxScores / Math.max(1, perPair)));
      for (int p = 0; p < pairs; p += step) out.add(new Block(p, Math.min(step, pairs - p), 0, stacked, tk, qOffset, tq, false));
      return out;
    }
    int rows = (int) Math.max(1, Math.min(tq, maxScores / tk));
    for (int p = 0; p < pairs; p++)
      for (int g = 0; g < group; g++)
        for (int i0 = 0; i0 < tq; i0 += rows) {
          int r = Math.min(rows, tq - i0);
          int keys = causal ? (int) Math.min(tk, (long) qOffset + i0 + r) : tk;
          out.add(new Block(p, 1, g * tq + i0, r, keys, (long) qOffset + i0, r, true));
        }
    return out;
  }

  /** out (B, Hq, Tq, D) and lse (B, Hq, Tq); see {@link dev.rmr1.tensor.FusedAttention#attentionForward}. */
  void forward(Tensor out, Tensor lse, Tensor q, Tensor k, Tensor v, double scale, boolean causal, int qOffset) {
    Geometry geo = Geometry.of(q, k);
    if (out.numel() == 0 && lse.numel() == 0) return;
    if (geo.tk == 0) { // no key: a zero output, as the reference
      backend.fillKernel(out, 0);
      backend.fillKernel(lse, Double.NEGATIVE_INFINITY);
      return;
    }
    List<Tensor> temps = new ArrayList<>();
    try {
      Tensor qs = stacked(dense(q, temps), geo.pairs(), temps), ks = stacked(dense(k, temps), geo.pairs(), temps),
          vs = stacked(dense(v, temps), geo.pairs(), temps);
      Tensor o = out.isContiguous() ? out : track(temps, Tensor.empty(out.device(), DType.F32, out.shape()));
      Tensor l = lse.isContiguous() ? lse : track(temps, Tensor.empty(lse.device(), DType.F32, lse.shape()));
      Tensor os = stacked(o, geo.pairs(), temps);
      int stackedRows = geo.group * geo.tq;
      for (Block blk : blocks(geo.pairs(), geo.group, geo.tq, geo.tk, causal, qOffset, maxScores)) {
        try (Tensor qb = rows(qs, blk); Tensor kb = keys(ks, blk); Tensor vb = keys(vs, blk); Tensor kt = kb.transpose(1, 2);
            Tensor ob = rows(os, blk); Tensor s = Tensor.empty(q.device(), DType.F32, blk.pairs, blk.rows, blk.keys)) {
          backend.gemm(s, qb, kt); // (n, rows, keys)
          probs(s, l, blk.lseRow(stackedRows), blk, scale, causal, false);
          backend.gemm(ob, s, vb); // (n, rows, D)
        }
      }
      if (o != out) backend.copyKernel(out, o);
      if (l != lse) backend.copyKernel(lse, l);
    } finally {
      for (Tensor t : temps) t.close();
    }
  }

  /** dq, dk, dv; see {@link dev.rmr1.tensor.FusedAttention#attentionBackward}. */
  void backward(Tensor dq, Tensor dk, Tensor dv, Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, double scale, boolean causal,
      int qOffset) {
    Geometry geo = Geometry.of(q, k);
    List<Tensor> temps = new ArrayList<>();
    try {
      Tensor dqc = dq.isContiguous() ? dq : track(temps, Tensor.empty(dq.device(), DType.F32, dq.shape()));
      Tensor dkc = dk.isContiguous() ? dk : track(temps, Tensor.empty(dk.device(), DType.F32, dk.shape()));
      Tensor dvc = dv.isContiguous() ? dv : track(temps, Tensor.empty(dv.device(), DType.F32, dv.shape()));
      List<Block> blocks = geo.tq == 0 || geo.tk == 0 ? List.of() : blocks(geo.pairs(), geo.group, geo.tq, geo.tk, causal, qOffset, maxScores);
      // Keys no block reaches (none queries exist, or past every causal query) get zero gradients.
      if (blocks.isEmpty() || blocks.get(0).partial) {
        backend.fillKernel(dkc, 0);
        backend.fillKernel(dvc, 0);
      }
      if (blocks.isEmpty()) backend.fillKernel(dqc, 0);
      if (!blocks.isEmpty()) {
        Tensor qd = dense(q, temps), dOd = dense(dOut, temps), od = dense(out, temps);
        Tensor l = lse.isContiguous() ? lse : track(temps, lse.contiguous());
        long nrows = (long) geo.b * geo.hq * geo.tq;
        Tensor delta = track(temps, Tensor.empty(q.device(), DType.F32, geo.b, geo.hq, geo.tq)); // rowsum(dO * O)
        backend.launchGrid("rmr1_attn_delta", CudaBackend.rowBlocks((nrows + 7) / 8), 256, CudaBackend.address(delta), CudaBackend.address(dOd),
            CudaBackend.address(od), nrows, geo.d);
        int p = geo.pairs();
        Tensor qs = stacked(qd, p, temps), ks = stacked(dense(k, temps), p, temps), vs = stacked(dense(v, temps), p, temps);
        Tensor dOs = stacked(dOd, p, temps), dqs = stacked(dqc, p, temps), dks = stacked(dkc, p, temps), dvs = stacked(dvc, p, temps);
        int stackedRows = geo.group * geo.tq;
        for (Block blk : blocks) {
          long lseRow = blk.lseRow(stackedRows);
          try (Tensor qb = rows(qs, blk); Tensor kb = keys(ks, blk); Tensor vb = keys(vs, blk); Tensor dOb = rows(dOs, blk);
              Tensor dqb = rows(dqs, blk); Tensor dkb = keys(dks, blk); Tensor dvb = keys(dvs, blk);
              Tensor kt = kb.transpose(1, 2); Tensor vt = vb.transpose(1, 2);
              Tensor p1 = Tensor.empty(q.device(), DType.F32, blk.pairs, blk.rows, blk.keys); Tensor pt = p1.transpose(1, 2);
              Tensor ds = Tensor.empty(q.device(), DType.F32, blk.pairs, blk.rows, blk.keys); Tensor dst = ds.transpose(1, 2)) {
            backend.gemm(p1, qb, kt);
            probs(p1, l, lseRow, blk, scale, causal, true); // P (n, rows, keys)
            accumulate(dvb, pt, dOb, blk.partial); // dV (n, keys, D) += P^T dO
            backend.gemm(ds, dOb, vt); // dP (n, rows, keys)
            backend.launchGrid("rmr1_attn_dscores", CudaBackend.rowBlocks((long) blk.pairs * blk.rows), CudaBackend.blockFor(Math.min(blk.keys, 256)),
                CudaBackend.address(ds), CudaBackend.address(p1), CudaBackend.address(delta) + 4 * lseRow, (long) blk.pairs * blk.rows, blk.keys,
                (float) scale);
            backend.gemm(dqb, ds, kb); // dQ rows (n, rows, D): each written by one block
            accumulate(dkb, dst, qb, blk.partial); // dK (n, keys, D) += dS^T Q
          }
        }
      }
      if (dqc != dq) backend.copyKernel(dq, dqc);
      if (dkc != dk) backend.copyKernel(dk, dkc);
      if (dvc != dv) backend.copyKernel(dv, dvc);
    } finally {
      for (Tensor t : temps) t.close();
    }
  }

  /** out = a b, or out += a b when {@code add} (a block that shares its pair's keys with others). */
  private void accumulate(Tensor out, Tensor a, Tensor b, boolean add) {
    if (!add) {
      backend.gemm(out, a, b);
      return;
    }
    try (Tensor part = Tensor.empty(out.device(), DType.F32, out.shape())) {
      backend.gemm(part, a, b);
      backend.binaryKernel(BinaryOp.ADD, out, out, part);
    }
  }

  /** In place on s (n, rows, keys): scores to probabilities, writing (forward) or reading lse rows from {@code lseRow}. */
  private void probs(Tensor s, Tensor lse, long lseRow, Block blk, double scale, boolean causal, boolean haveLse) {
    long nrows = (long) blk.pairs * blk.rows;
    backend.launchGrid("rmr1_attn_probs", CudaBackend.rowBlocks(nrows), CudaBackend.blockFor(Math.min(blk.keys, 256)), CudaBackend.address(s),
        CudaBackend.address(lse) + 4 * lseRow, nrows, blk.keys, (float) scale, causal ? 1 : 0, blk.firstPos, blk.period, haveLse ? 1 : 0);
  }

  /** t itself when dense, else a dense copy that {@code temps} closes. */
  private static Tensor dense(Tensor t, List<Tensor> temps) {
    return t.isContiguous() ? t : track(temps, t.contiguous());
  }

  /** Dense (B, H, T, D) as (pairs, H / Hkv * T, D). */
  private static Tensor stacked(Tensor t, int pairs, List<Tensor> temps) {
    return track(temps, t.view(pairs, (int) (t.numel() / Math.max(1, (long) pairs * t.size(3))), t.size(3)));
  }

  private static Tensor rows(Tensor stacked, Block blk) {
    try (Tensor p = stacked.narrow(0, blk.pair0, blk.pairs)) {
      return p.narrow(1, blk.row0, blk.rows);
    }
  }

  private static Tensor keys(Tensor stacked, Block blk) {
    try (Tensor p = stacked.narrow(0, blk.pair0, blk.pairs)) {
      return p.narrow(1, 0, blk.keys);
    }
  }

  private static Tensor track(List<Tensor> temps, Tensor t) {
    temps.add(t);
    return t;
  }
}

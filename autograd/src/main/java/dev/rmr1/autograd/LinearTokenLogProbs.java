package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;
import java.util.Arrays;

/**
 * Token log-probabilities through an output projection without ever holding the whole (N, V)
 * logits: lp[n] = log_softmax(h[n] W^T / T)[target[n]] for hidden h (N, C), weight W (V, C) (an
 * LM head; may be a frozen BF16 weight) and temperature T. For Qwen's 151k-token vocabulary the
 * logits of a long sequence would take gigabytes; here rows are processed in blocks of at most
 * {@link #BLOCK_ELEMENTS} logits ({@link #DEVICE_BLOCK_ELEMENTS} on an accelerator), in the forward and again in the backward, which recomputes each
 * block's logits except the last one's, which the forward keeps for it (one block, the backward's
 * own working size; when all rows fit in one block, as for a few thousand tokens of a 32k
 * vocabulary, the logits are computed once):
 *
 * <pre>
 *   dlogits = g (onehot(target) - softmax(logits)) / T,   dh = dlogits W,   dW += dlogits^T h
 * </pre>
 */
final class LinearTokenLogProbs {
  /** Upper bound on the logits of one block (rows x V) on the CPU: 64 MiB of F32. */
  static final long BLOCK_ELEMENTS = 1L << 24;
  /**
   * The bound on an accelerator: 512 MiB of F32. Rows are what its kernels run in parallel (a
   * row-wise log-sum-exp or softmax is one thread block per row) and its products want many of them:
   * with the CPU's bound, a 151k vocabulary gave 110-row blocks that left most of an H100 idle.
   */
  static final long DEVICE_BLOCK_ELEMENTS = 1L << 27;

  private LinearTokenLogProbs() {}

  static Var apply(Var hidden, Var weight, Tensor targets, double temperature) {
    return apply(hidden, weight, targets, temperature, hidden.data().device().isCpu() ? BLOCK_ELEMENTS : DEVICE_BLOCK_ELEMENTS);
  }

  static Var apply(Var hidden, Var weight, Tensor targets, double temperature, long blockElements) {
    Tensor h = hidden.data(), w = weight.data();
    if (h.dim() != 2 || w.dim() != 2 || h.size(1) != w.size(1) || targets.dim() != 1 || targets.size(0) != h.size(0))
      throw new IllegalArgumentException("linearTokenLogProbs: need hidden (N, C), weight (V, C), targets (N); got " + Arrays.toString(h.shape())
          + ", " + Arrays.toString(w.shape()) + ", " + Arrays.toString(targets.shape()));
    if (weight.requiresGrad() && w.dtype() != h.dtype())
      throw new IllegalArgumentException("linearTokenLogProbs: " + weight + " requires grad but its dtype differs from " + hidden);
    int n = h.size(0), v = w.size(0);
    int block = (int) Math.max(1, Math.min(Math.max(n, 1), blockElements / Math.max(1, v)));
    boolean grad = Grad.needed(hidden, weight);
    Tensor out = Tensor.empty(h.device(), h.dtype(), n);
    Tensor lastLogits = null;
    try (Tensor wt = w.transpose(0, 1)) {
      for (int i0 = 0; i0 < n; i0 += block) {
        int rows = Math.min(block, n - i0);
        Tensor logits = logits(h, wt, i0, rows, temperature);
        try (Tensor lse = logits.logsumexp(1, true); Tensor t = targets.narrow(0, i0, rows); Tensor idx = t.reshape(rows, 1);
            Tensor picked = logits.gather(1, idx); Tensor lp = picked.sub(lse); Tensor flat = lp.view(rows); Tensor dst = out.narrow(0, i0, rows)) {
          dst.copyFrom(flat);
        }
        // The backward starts with the last block's logits as they are: no second product for it.
        if (grad && i0 + rows == n) lastLogits = logits;
        else logits.close();
      }
    }
    if (!grad) return Var.constant(out);
    Tensor saved = lastLogits;
    return Var.recorded("linearTokenLogProbs", out, g -> backward(g, hidden, weight, targets, temperature, block, saved),
        saved == null ? new Tensor[0] : new Tensor[] {saved}, hidden, weight);
  }

  /** h[i0 .. i0 + rows) W^T / T, (rows, V). */
  private static Tensor logits(Tensor h, Tensor wt, int i0, int rows, double temperature) {
    try (Tensor hb = h.narrow(0, i0, rows)) {
      Tensor l = hb.matmul(wt);
      if (temperature != 1) l.mulInPlace(1 / temperature);
      return l;
    }
  }

  /** {@code lastLogits}: the forward's logits of the last row block (null when there are no rows). */
  private static Tensor[] backward(Tensor g, Var hidden, Var weight, Tensor targets, double temperature, int block, Tensor lastLogits) {
    Tensor h = hidden.data(), w = weight.data();
    int n = h.size(0);
    Tensor dh = hidden.requiresGrad() ? Tensor.empty(h.device(), h.dtype(), h.shape()) : null;
    Tensor dw = null; // the first block's product, then the sum over blocks
    try (Tensor wt = w.transpose(0, 1)) {
      for (int i0 = 0; i0 < n; i0 += block) {
        int rows = Math.min(block, n - i0);
        Tensor d;
        if (i0 + rows == n) {
          d = lastLogits.softmax(-1);
        } else {
          try (Tensor l = logits(h, wt, i0, rows, temperature)) {
            d = l.softmax(-1);
          }
        }
        try (d; Tensor gb = g.narrow(0, i0, rows); Tensor g2 = gb.reshape(rows, 1); Tensor scaled = g2.mul(1 / temperature);
            Tensor neg = scaled.neg(); Tensor t = targets.narrow(0, i0, rows); Tensor idx = t.reshape(rows, 1)) {
          // d = g (onehot - softmax(logits)) / T, in the softmax buffer
          d.mulInPlace(neg);
          d.scatterAddInPlace(1, idx, scaled);
          if (dh != null) {
            try (Tensor part = d.matmul(w); Tensor dst = dh.narrow(0, i0, rows)) {
              dst.copyFrom(part);
            }
          }
          if (weight.requiresGrad()) {
            try (Tensor dt = d.transpose(0, 1); Tensor hb = h.narrow(0, i0, rows)) {
              Tensor part = dt.matmul(hb);
              if (dw == null) dw = part;
              else try (part) {
                dw.addInPlace(part);
              }
            }
          }
        }
      }
    }
    if (dw == null && weight.requiresGrad()) dw = Tensor.zeros(w.device(), w.dtype(), w.shape()); // no rows
    return new Tensor[] {dh, dw};
  }
}

package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;

/**
 * Batched matrix product C = A @ B with broadcast batch dims: dA = dC @ B^T and dB = A^T @ dC, each
 * summed over the batch dims its operand was broadcast along. B may be a frozen low-precision weight
 * (F32 @ BF16): dA = dC @ B^T then runs on the same mixed-precision kernel.
 */
final class MatMul {
  private MatMul() {}

  static Var matmul(Var a, Var b) {
    Tensor ad = a.data(), bd = b.data();
    Tensor out = ad.matmul(bd);
    if (b.requiresGrad() && bd.dtype() != ad.dtype())
      throw new IllegalArgumentException("matmul: " + b + " requires grad but its dtype differs from " + a
          + " (low-precision weights must be frozen; train an F32 copy)");
    return Var.op("matmul", out, g -> new Tensor[] {
        a.requiresGrad() ? gradA(g, ad, bd) : null,
        b.requiresGrad() ? gradB(g, ad, bd) : null}, a, b);
  }

  // dA = dC @ B^T, reduced to A's shape
  private static Tensor gradA(Tensor g, Tensor a, Tensor b) {
    try (Tensor bt = b.transpose(-1, -2); Tensor full = g.matmul(bt)) {
      return Grads.sumTo(full, a.shape());
    }
  }

  // dB = A^T @ dC, reduced to B's shape
  private static Tensor gradB(Tensor g, Tensor a, Tensor b) {
    if (b.dim() == 2) {
      // A weight shared by every batch row (x @ W^T): one (K, rows) @ (rows, N) product instead of a
      // batched product followed by a sum over the batch.
      int k = a.size(-1), n = g.size(-1);
      try (Tensor a2 = a.reshape(-1, k); Tensor g2 = g.reshape(-1, n)) {
        if (columnMajor(b)) {
          // b = W^T of a dense (N, K) weight (nn.Linear): compute dB^T = dC^T @ A, dense like W, and
          // return its transpose view, so W's gradient arrives dense (kept, not copied).
          try (Tensor g2t = g2.transpose(0, 1); Tensor dbt = g2t.matmul(a2)) {
            return dbt.transpose(0, 1);
          }
        }
        try (Tensor a2t = a2.transpose(0, 1)) {
          return a2t.matmul(g2);
        }
      }
    }
    try (Tensor at = a.transpose(-1, -2); Tensor full = at.matmul(g)) {
      return Grads.sumTo(full, b.shape());
    }
  }

  /** A 2-d view whose transpose is dense (and that is not itself dense): the layout of W^T. */
  private static boolean columnMajor(Tensor b) {
    if (b.isContiguous()) return false;
    try (Tensor t = b.transpose(0, 1)) {
      return t.isContiguous();
    }
  }
}

package dev.rmr1.training.grpo;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.Arrays;

/**
 * Per-position entropy of the categorical distribution softmax(logits): {@code H = logsumexp(z) - sum softmax(z) z}
 * (verl {@code entropy_from_logits}), over the last dim.
 */
public final class TokenEntropy {
  /** Rows per chunk of the no-grad version, so that only a (rows, V) block of temporaries exists at a time. */
  private static final int CHUNK_ROWS = 64;

  private TokenEntropy() {}

  /** Differentiable entropy of logits (..., V) -> (...); keeps (..., V) temporaries for backward. */
  public static Var of(Var logits) {
    int last = logits.dim() - 1;
    Var logp = logits.logSoftmax(last);
    return logp.exp().mul(logp).sum(last, false).neg();
  }

  /** The entropy values of logits (..., V) -> (...) without a graph, computed in row chunks. */
  public static Tensor values(Tensor logits) {
    int[] shape = logits.shape();
    int v = shape[shape.length - 1];
    int rows = Math.toIntExact(logits.numel() / Math.max(1, v));
    Tensor out = Tensor.empty(logits.device(), logits.dtype(), rows);
    try (out; Tensor flat = logits.reshape(rows, v)) {
      for (int r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
        int n = Math.min(CHUNK_ROWS, rows - r0);
        try (TensorScope chunk = TensorScope.open()) {
          Tensor z = flat.narrow(0, r0, n); // (n, V)
          Tensor lse = z.logsumexp(1, false); // (n)
          Tensor expected = z.softmax(1).mul(z).sum(1, false); // (n)
          out.narrow(0, r0, n).copyFrom(lse.sub(expected));
        }
      }
      return out.reshape(Arrays.copyOf(shape, shape.length - 1));
    }
  }
}

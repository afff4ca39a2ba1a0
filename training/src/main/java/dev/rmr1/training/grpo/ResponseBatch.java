package dev.rmr1.training.grpo;

import dev.rmr1.autograd.Grad;
import dev.rmr1.autograd.Var;
import dev.rmr1.models.CausalLM;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.training.sft.IdTensors;
import dev.rmr1.training.sft.SelectedLogProbs;
import java.util.List;

/**
 * N rows {@code prompt_i ++ response_i}, right-padded to a common length T, and the bookkeeping to score the response
 * tokens: response token j of row i sits at position {@code P_i + j} and is predicted by the hidden state at
 * {@code P_i + j - 1} (verl takes the logits of positions {@code P-1 .. P+L-2}). Only the M = sum L_i real response
 * tokens go through the LM head; their values are then laid out as (N, L) with L the longest response, zero on
 * padding, to match the response {@link #mask}.
 */
public final class ResponseBatch {
  private final int n, width, length;
  private final long[] ids, positions, targets, layout;
  private final double[] mask;

  private ResponseBatch(int n, int width, int length, long[] ids, long[] positions, long[] targets, long[] layout, double[] mask) {
    this.n = n;
    this.width = width;
    this.length = length;
    this.ids = ids;
    this.positions = positions;
    this.targets = targets;
    this.layout = layout;
    this.mask = mask;
  }

  /** Rows of {@code prompts.get(i) ++ responses.get(i)}; every prompt and response needs at least one token. */
  public static ResponseBatch of(List<int[]> prompts, List<int[]> responses, int padId) {
    int n = prompts.size();
    if (n == 0 || responses.size() != n) throw new IllegalArgumentException(n + " prompts and " + responses.size() + " responses");
    int t = 0, l = 0, m = 0;
    for (int i = 0; i < n; i++) {
      int p = prompts.get(i).length, r = responses.get(i).length;
      if (p == 0 || r == 0) throw new IllegalArgumentException("row " + i + ": empty prompt or response");
      t = Math.max(t, p + r);
      l = Math.max(l, r);
      m += r;
    }
    long[] ids = new long[n * t], positions = new long[m], targets = new long[m], layout = new long[n * l];
    double[] mask = new double[n * l];
    java.util.Arrays.fill(ids, padId);
    java.util.Arrays.fill(layout, m); // the zero row appended after the M values
    int k = 0;
    for (int i = 0; i < n; i++) {
      int[] p = prompts.get(i), r = responses.get(i);
      for (int j = 0; j < p.length; j++) ids[i * t + j] = p[j];
      for (int j = 0; j < r.length; j++) {
        ids[i * t + p.length + j] = r[j];
        positions[k] = (long) i * t + p.length + j - 1;
        targets[k] = r[j];
        layout[i * l + j] = k;
        mask[i * l + j] = 1;
        k++;
      }
    }
    return new ResponseBatch(n, t, l, ids, positions, targets, layout, mask);
  }

  /** Rows. */
  public int size() {
    return n;
  }

  /** L: the longest response. */
  public int responseLength() {
    return length;
  }

  /** M: the response tokens. */
  public int tokens() {
    return positions.length;
  }

  /** (N, L): 1 on response tokens, 0 on padding. */
  public Tensor mask(Device device, DType dtype) {
    return Tensor.of(device, dtype, mask, n, length);
  }

  /** The per-token values of one forward pass: log-probs (differentiable when gradients are enabled) and entropy. */
  public record Scores(Var logProbs, Var entropy) {}

  /**
   * Log-probs {@code log_softmax(logits / temperature)[token]} of the response tokens, (N, L), zero on padding, and,
   * with {@code withEntropy}, the per-token entropy of {@code softmax(logits / temperature)}: differentiable when
   * {@code entropyGrad} (an entropy bonus in the loss; keeps M x V temporaries), otherwise computed without a graph in
   * row blocks (for the log).
   */
  public Scores score(CausalLM model, double temperature, boolean withEntropy, boolean entropyGrad) {
    Device d = model.device();
    Tensor idT = IdTensors.of(d, ids, n, width);
    Var rows = SelectedLogProbs.hiddenRows(model, idT, IdTensors.of(d, positions, positions.length)); // (M, C)
    Var lp = SelectedLogProbs.of(model, rows, IdTensors.of(d, targets, targets.length), temperature); // (M)
    Var entropy = null;
    if (withEntropy) {
      if (entropyGrad) {
        entropy = TokenEntropy.of(model.logits(rows).div(temperature));
      } else {
        entropy = Var.constant(entropyNoGrad(model, rows.data(), temperature));
      }
    }
    return new Scores(layOut(lp, d), entropy == null ? null : layOut(entropy, d));
  }

  /** (M) values -> (N, L), zero where there is no response token. */
  private Var layOut(Var values, Device d) {
    Var zero = Var.constant(Tensor.zeros(d, values.dtype(), 1, 1));
    Var table = Var.cat(0, List.of(values.reshape(values.size(0), 1), zero)); // (M + 1, 1)
    return table.embedding(IdTensors.of(d, layout, n, length)).reshape(n, length);
  }

  /** Per-row entropy of the logits of {@code rows} (M, C), a block of rows at a time. */
  private static Tensor entropyNoGrad(CausalLM model, Tensor rows, double temperature) {
    int m = rows.size(0);
    int v = model.config().vocabSize();
    int block = Math.max(1, Math.min(m, (1 << 22) / Math.max(1, v)));
    Tensor out = Tensor.empty(rows.device(), rows.dtype(), m);
    try (Grad.Guard g = Grad.disabled()) {
      for (int r0 = 0; r0 < m; r0 += block) {
        int k = Math.min(block, m - r0);
        try (TensorScope scope = TensorScope.open()) {
          Tensor logits = model.logits(Var.constant(rows.narrow(0, r0, k))).data().div(temperature); // (k, V)
          out.narrow(0, r0, k).copyFrom(TokenEntropy.values(logits));
        }
      }
    }
    return out;
  }
}

package dev.rmr1.training.sft;

import dev.rmr1.autograd.Var;
import dev.rmr1.models.CausalLM;
import dev.rmr1.tensor.Tensor;
import java.util.Arrays;

/**
 * Log-probabilities of chosen next tokens at chosen positions of a right-padded batch: only the K selected positions go
 * through the LM head, in row blocks ({@link Var#linearTokenLogProbs}), so neither the (B, T, V) logits nor the logits of
 * prompt and padding positions are ever computed. The SFT loss selects the positions with a label; GRPO selects each
 * response token's predecessor.
 */
public final class SelectedLogProbs {
  private SelectedLogProbs() {}

  /**
   * The final hidden states at {@code positions}: (K, C).
   *
   * @param ids (B, T) token ids, every row starting at position 0
   * @param positions (K) flat positions {@code b * T + t}
   */
  public static Var hiddenRows(CausalLM model, Tensor ids, Tensor positions) {
    if (positions.dim() != 1) throw new IllegalArgumentException("selected positions must be (K), got " + Arrays.toString(positions.shape()));
    Var hidden = model.hiddenStates(ids); // (B, T, C)
    return hidden.reshape(-1, hidden.size(2)).embedding(positions); // (K, C)
  }

  /**
   * @param rows (K, C) hidden states from {@link #hiddenRows}
   * @param targets (K) the predicted token of each row
   * @param temperature divides the logits (verl: log_softmax(logits / T))
   * @return (K) {@code log_softmax(logits / temperature)[target]}, differentiable in the model's trainable parameters
   */
  public static Var of(CausalLM model, Var rows, Tensor targets, double temperature) {
    if (targets.dim() != 1 || targets.size(0) != rows.size(0))
      throw new IllegalArgumentException("selected log-probs: " + rows.size(0) + " rows but targets " + Arrays.toString(targets.shape()));
    return Var.linearTokenLogProbs(rows, model.lmHeadWeight(), targets, temperature);
  }

  /** {@link #of} of {@link #hiddenRows}. */
  public static Var compute(CausalLM model, Tensor ids, Tensor positions, Tensor targets, double temperature) {
    return of(model, hiddenRows(model, ids, positions), targets, temperature);
  }
}

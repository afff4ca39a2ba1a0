package dev.rmr1.training.sft;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.Tensor;
import java.util.Arrays;

/**
 * The SFT loss of one micro-batch (spec 5 step 7; OpenRLHF {@code GPTLMLoss}): cross-entropy of logits[:, :-1]
 * against labels[:, 1:], the mean over the micro-batch's non-ignored targets, divided by the number of micro-batches
 * accumulated into the optimizer step.
 */
public final class SftLoss {
  private SftLoss() {}

  /**
   * @param logits (B, T, V) from the model on {@code ids} (B, T)
   * @param targets (B, T-1) shifted labels, -100 where ignored ({@link SftMicroBatch#targetsTensor})
   * @param accumulation micro-batches per optimizer step
   */
  public static Var of(Var logits, Tensor targets, int accumulation) {
    int[] s = logits.shape();
    if (s.length != 3 || targets.dim() != 2 || targets.size(0) != s[0] || targets.size(1) != s[1] - 1)
      throw new IllegalArgumentException("SFT loss: logits " + Arrays.toString(s) + " need (B, T-1) targets, got " + Arrays.toString(targets.shape()));
    if (accumulation < 1) throw new IllegalArgumentException("SFT loss: accumulation count " + accumulation);
    return logits.narrow(1, 0, s[1] - 1).crossEntropy(targets).div(accumulation);
  }
}

package dev.rmr1.training.sft;

import dev.rmr1.autograd.Var;
import dev.rmr1.models.CausalLM;
import dev.rmr1.tensor.Device;

/**
 * The SFT loss of one micro-batch (spec 5 step 7; OpenRLHF {@code GPTLMLoss}): cross-entropy of the logits at t
 * against the label at t + 1, the mean over the micro-batch's non-ignored labels, divided by the number of
 * micro-batches accumulated into the optimizer step. Only the labelled positions go through the LM head
 * ({@link SelectedLogProbs}); the value equals Hugging Face's {@code labels=} loss of the same batch.
 */
public final class SftLoss {
  private SftLoss() {}

  /** @param accumulation micro-batches per optimizer step */
  public static Var of(CausalLM model, SftMicroBatch mb, int accumulation) {
    if (accumulation < 1) throw new IllegalArgumentException("SFT loss: accumulation count " + accumulation);
    if (mb.lossTokens() == 0) throw new IllegalArgumentException("SFT loss: the micro-batch has no labelled token");
    Device d = model.device();
    long[] positions = mb.lossPositions();
    Var lp = SelectedLogProbs.compute(model, mb.idsTensor(d), IdTensors.of(d, positions, positions.length),
        IdTensors.of(d, mb.lossTargets(), positions.length), 1.0); // (K)
    return lp.sum().neg().div((double) mb.lossTokens() * accumulation);
  }
}

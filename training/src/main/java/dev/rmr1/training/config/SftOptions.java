package dev.rmr1.training.config;

/** SFT distillation (section {@code sft}; spec section 5). */
public record SftOptions(
    @Doc("sequences per optimizer step") int globalBatch,
    @Doc("sequences per forward/backward; global_batch / micro_batch are accumulated") int microBatch,
    @Doc("passes over the data") int epochs,
    @Doc("stop after this many optimizer steps (0: all epochs)") int maxSteps,
    @Doc("truncate sequences to this many tokens (the last is forced to eos)") int maxLen,
    @Doc("exclude the assistant header tokens from the loss (RM-R1 trains them)") boolean maskAssistantHeader,
    @Doc("recompute activations in backward to save memory") boolean gradientCheckpointing)
    implements Validated {

  /** RM-R1: 128 sequences per step, micro-batch 1, 1 epoch, max_len 12288, header trained, checkpointing on. */
  public static SftOptions defaults() {
    return new SftOptions(128, 1, 1, 0, 12288, false, true);
  }

  /** Micro-batches accumulated per optimizer step. */
  public int accumulation() {
    return globalBatch / microBatch;
  }

  @Override
  public void validate(Problems p) {
    p.check(globalBatch >= 1, "global_batch", "must be >= 1");
    p.check(microBatch >= 1, "micro_batch", "must be >= 1");
    if (globalBatch >= 1 && microBatch >= 1) p.check(globalBatch % microBatch == 0, "global_batch", "must be a multiple of sft.micro_batch (" + microBatch + ")");
    p.check(epochs >= 1, "epochs", "must be >= 1");
    p.check(maxSteps >= 0, "max_steps", "must be >= 0");
    p.check(maxLen >= 3, "max_len", "must be >= 3 (a sample needs prompt_len < max_len - 2)");
  }
}

package dev.rmr1.training.config;

/** Shape of the learning-rate schedule after the linear warmup (Hugging Face's schedulers). */
public enum LrScheduleKind {
  /** Constant after warmup (RM-R1's GRPO, no warmup). */
  CONSTANT,
  /** Linear decay to 0. */
  LINEAR,
  /** Half-cosine decay to {@code min_lr_ratio * lr} (RM-R1's SFT, spec section 5). */
  COSINE
}

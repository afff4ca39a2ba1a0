package dev.rmr1.nn.optim;

/**
 * A learning-rate schedule: the factor that multiplies each group's base learning rate at optimizer
 * step {@code s} (0 for the first step), as the {@code lr_lambda} of PyTorch's {@code LambdaLR}.
 * Hugging Face builds its schedulers that way and steps the scheduler after the optimizer, so step
 * {@code s} runs at {@code lr * factor(s)}: with warmup the first step has learning rate 0.
 *
 * <p>The formulas are those of {@code transformers/optimization.py}, operation for operation, so the
 * factors agree to the last bit. A schedule's {@code toString()} (record syntax, doubles printed
 * exactly) is stored in optimizer checkpoints and must match on resume.
 */
public sealed interface LrSchedule {
  double factor(long step);

  /** Factor 1 at every step ({@code get_constant_schedule}). */
  record Constant() implements LrSchedule {
    @Override
    public double factor(long step) {
      return 1.0;
    }
  }

  /** Linear warmup, then 1 ({@code get_constant_schedule_with_warmup}). */
  record ConstantWithWarmup(long warmupSteps) implements LrSchedule {
    public ConstantWithWarmup {
      requireSteps(warmupSteps, 0);
    }

    @Override
    public double factor(long step) {
      if (step < warmupSteps) return warmup(step, warmupSteps);
      return 1.0;
    }
  }

  /** Linear warmup, then linear decay to 0 at {@code totalSteps} ({@code get_linear_schedule_with_warmup}). */
  record LinearWithWarmup(long warmupSteps, long totalSteps) implements LrSchedule {
    public LinearWithWarmup {
      requireSteps(warmupSteps, totalSteps);
    }

    @Override
    public double factor(long step) {
      if (step < warmupSteps) return warmup(step, warmupSteps);
      return Math.max(0.0, (double) (totalSteps - step) / (double) Math.max(1, totalSteps - warmupSteps));
    }
  }

  /**
   * Linear warmup, then cosine decay from 1 to {@code minLrRate} over {@code numCycles} waves
   * ({@code get_cosine_with_min_lr_schedule_with_warmup} with {@code min_lr_rate}; with rate 0 it
   * is {@code get_cosine_schedule_with_warmup}). As in Hugging Face, steps past {@code totalSteps}
   * continue the cosine rather than holding the minimum.
   */
  record CosineWithWarmup(long warmupSteps, long totalSteps, double numCycles, double minLrRate) implements LrSchedule {
    public CosineWithWarmup {
      requireSteps(warmupSteps, totalSteps);
      if (!(numCycles > 0) || Double.isInfinite(numCycles)) throw new IllegalArgumentException("cosine schedule: invalid numCycles " + numCycles);
      if (!(minLrRate >= 0 && minLrRate <= 1)) throw new IllegalArgumentException("cosine schedule: minLrRate " + minLrRate + " is not in [0, 1]");
    }

    @Override
    public double factor(long step) {
      if (step < warmupSteps) return warmup(step, warmupSteps);
      double progress = (double) (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps);
      double f = 0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * progress));
      f = f * (1 - minLrRate) + minLrRate;
      return Math.max(0, f);
    }
  }

  static LrSchedule constant() {
    return new Constant();
  }

  static LrSchedule constantWithWarmup(long warmupSteps) {
    return new ConstantWithWarmup(warmupSteps);
  }

  static LrSchedule linearWithWarmup(long warmupSteps, long totalSteps) {
    return new LinearWithWarmup(warmupSteps, totalSteps);
  }

  /** Half-cosine decay to 0 after warmup. */
  static LrSchedule cosineWithWarmup(long warmupSteps, long totalSteps) {
    return new CosineWithWarmup(warmupSteps, totalSteps, 0.5, 0.0);
  }

  /** Half-cosine decay to {@code minLrRate * lr} after warmup. */
  static LrSchedule cosineWithMinLr(long warmupSteps, long totalSteps, double minLrRate) {
    return new CosineWithWarmup(warmupSteps, totalSteps, 0.5, minLrRate);
  }

  /** Warmup steps from a ratio: {@code ceil(totalSteps * ratio)} (TrainingArguments.get_warmup_steps, OpenRLHF). */
  static long warmupSteps(long totalSteps, double ratio) {
    if (!(ratio >= 0 && ratio <= 1)) throw new IllegalArgumentException("warmup ratio " + ratio + " is not in [0, 1]");
    return (long) Math.ceil(totalSteps * ratio);
  }

  /**
   * RM-R1's SFT schedule (spec section 5): {@code S = ceil(rows / batchSize)} optimizer steps,
   * {@code W = ceil(0.03 S)} warmup steps, then {@code lr [0.1 + 0.9 * 0.5 (1 + cos(pi p))]} with
   * {@code p = (s - W) / max(1, S - W)}; RM-R1 uses 128 sequences per step.
   */
  static LrSchedule rmR1Sft(long rows, int batchSize) {
    if (rows < 1 || batchSize < 1) throw new IllegalArgumentException("rmR1Sft: rows " + rows + " and batch size " + batchSize + " must be positive");
    long totalSteps = Math.ceilDiv(rows, batchSize);
    return cosineWithMinLr(warmupSteps(totalSteps, 0.03), totalSteps, 0.1);
  }

  private static double warmup(long step, long warmupSteps) {
    return (double) step / (double) Math.max(1, warmupSteps);
  }

  private static void requireSteps(long warmupSteps, long totalSteps) {
    if (warmupSteps < 0 || totalSteps < 0)
      throw new IllegalArgumentException("schedule: warmup steps " + warmupSteps + " and total steps " + totalSteps + " must be non-negative");
  }
}

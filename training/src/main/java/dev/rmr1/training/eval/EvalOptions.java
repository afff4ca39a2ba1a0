package dev.rmr1.training.eval;

import dev.rmr1.training.data.PromptFormat;
import java.util.Objects;

/**
 * Options of an evaluation run.
 *
 * @param format the judge prompt family, chosen explicitly (spec 8)
 * @param seed the position-swap seed ({@link PositionSwap}); logged in every sample and the summary
 * @param bothOrders judge every comparison with the chosen response in slot A and in slot B, and report each order
 *     and their average; otherwise one pass with the seeded swap (the default, as RM-R1)
 * @param batchSize comparisons per {@link Judge#judgeBatch} call
 * @param resume keep an existing per-sample log and judge only what it lacks; otherwise the log is overwritten
 */
public record EvalOptions(PromptFormat format, long seed, boolean bothOrders, int batchSize, boolean resume) {
  public EvalOptions {
    Objects.requireNonNull(format, "format");
    if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
  }
}

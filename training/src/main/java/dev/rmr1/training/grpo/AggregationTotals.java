package dev.rmr1.training.grpo;

import dev.rmr1.tensor.Tensor;

/**
 * The denominators of a {@link dev.rmr1.training.config.LossAggregation} over the batch a loss is normalised by: its number of response tokens
 * D, of sequences N, and Dr.GRPO's normalisation length L (the maximum response length; verl uses the padded response
 * width, i.e. the configured maximum of new tokens).
 *
 * <p>RM-R1 (verl's actor) normalises each micro-batch by its own totals and divides by the accumulation count
 * (spec 6, "Aggregation, RM-R1 variant"); normalising every micro-batch by the totals of the whole mini-batch gives
 * the exact mini-batch formulas of the spec's table instead.
 */
public record AggregationTotals(double tokens, int sequences, int normLength) {
  public AggregationTotals {
    if (!(tokens > 0) || Double.isInfinite(tokens))
      throw new IllegalArgumentException("aggregation totals: the batch has " + tokens + " response tokens (need > 0)");
    if (sequences <= 0) throw new IllegalArgumentException("aggregation totals: " + sequences + " sequences (need > 0)");
    if (normLength <= 0) throw new IllegalArgumentException("aggregation totals: normalisation length " + normLength + " (need > 0)");
  }

  /** The totals of the batch whose response mask is {@code mask} (N, T). */
  public static AggregationTotals of(Tensor mask, int normLength) {
    if (mask.dim() != 2) throw new IllegalArgumentException("aggregation totals: the mask must be (N, T), got " + mask);
    try (Tensor s = mask.sum()) {
      return new AggregationTotals(s.item(), mask.size(0), normLength);
    }
  }
}

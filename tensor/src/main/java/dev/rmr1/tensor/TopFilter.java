package dev.rmr1.tensor;

/**
 * An optional capability of a {@link Backend}: {@link TopFilters}' top-k, top-p and min-p over rows of
 * probabilities where they are, without sorting the vocabulary, so that sampling with these filters
 * moves no logits to the host. Backends without it leave the filtering to {@link TopFilters#filterRows}
 * on the host.
 */
public interface TopFilter {
  /**
   * out = probs with the tokens the filters remove set to 0: probs and out (S, V) dense F64 on this
   * backend's device; row i with topK[i] (0: off), topP[i] (1: off), minP[i] (0: off). Up to the
   * rounding of the masses' sums, the kept tokens are those of {@link TopFilters#keep}.
   */
  void topFilter(Tensor out, Tensor probs, int[] topK, double[] topP, double[] minP);
}

package dev.rmr1.models.generate;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.TopFilter;
import dev.rmr1.tensor.TopFilters;
import java.util.List;

/**
 * Token choice where the logits are (the model's device), so that a decoding step of S sequences
 * moves S token ids to the host instead of S x V logits. Every row draws what {@link Sampler#sample}
 * draws from the same generator state (up to the rounding of sums computed in another order):
 *
 * <ul>
 *   <li>greedy: the row's argmax;
 *   <li>sampled: softmax(logits / T) in F64; top-k / top-p / min-p ({@link TopFilters}) zero the
 *       removed tokens, by the backend's {@link TopFilter} where it has one (no sort of the
 *       vocabulary), else on the host; then the inverse-CDF pick in vocabulary order at the
 *       uniform times the kept mass.
 * </ul>
 */
@SuppressWarnings("try") // the scope frees the temporaries
public final class DeviceSampling {
  private DeviceSampling() {}

  /**
   * Row i of logits (S, V) chosen with {@code params.get(i)} and the uniform draw
   * {@code uniforms[i]} in [0, 1) (the one draw the host's Sampler makes for the token; unused for
   * greedy rows).
   */
  public static int[] choose(Tensor logits, List<SamplingParams> params, double[] uniforms) {
    int s = logits.size(0), v = logits.size(1);
    if (params.size() != s || uniforms.length != s)
      throw new IllegalArgumentException(s + " logits rows, " + params.size() + " sampling parameters and " + uniforms.length + " uniforms");
    int[] out = new int[s];
    boolean[] greedy = new boolean[s], filtered = new boolean[s];
    boolean anyGreedy = false, anySampled = false, anyFiltered = false;
    for (int i = 0; i < s; i++) {
      SamplingParams p = params.get(i);
      greedy[i] = p.greedy();
      filtered[i] = !greedy[i] && Sampler.filters(p, v);
      anyGreedy |= greedy[i];
      anySampled |= !greedy[i];
      anyFiltered |= filtered[i];
    }
    Device device = logits.device();
    try (TensorScope scope = TensorScope.open()) {
      if (anyGreedy) {
        long[] best = logits.argmax(-1, false).toLongArray(); // ties to the first, the first NaN winning, as Sampler.argmax
        for (int i = 0; i < s; i++) if (greedy[i]) out[i] = (int) best[i];
      }
      if (!anySampled) return out;
      double[] temperatures = new double[s];
      for (int i = 0; i < s; i++) temperatures[i] = greedy[i] ? 1 : params.get(i).temperature();
      Tensor scaled = logits.to(DType.F64).div(Tensor.of(device, DType.F64, temperatures, s, 1)); // (S, V) logits / T
      double[] visible = scaled.max(-1, false).toDoubleArray(); // a NaN or all -inf row has no distribution
      for (int i = 0; i < s; i++)
        if (!greedy[i] && (Double.isNaN(visible[i]) || visible[i] == Double.NEGATIVE_INFINITY))
          throw new IllegalStateException("logits row " + i + " has no finite maximum (NaN or all -inf)");
      Tensor probs = scaled.softmax(-1); // (S, V)
      double[] targets = uniforms.clone();
      if (anyFiltered) {
        probs = filtered(probs, params, filtered);
        // the host draws u times the kept mass over the kept tokens
        double[] kept = probs.sum(-1, false).toDoubleArray();
        for (int i = 0; i < s; i++) if (filtered[i]) targets[i] *= kept[i];
      }
      int[] picks = inverseCdf(probs, targets);
      for (int i = 0; i < s; i++) if (!greedy[i]) out[i] = picks[i];
    }
    return out;
  }

  /** probs (S, V) with the tokens the top-k / top-p / min-p of each filtered row remove set to 0 (other rows as they are). */
  private static Tensor filtered(Tensor probs, List<SamplingParams> params, boolean[] filtered) {
    int s = probs.size(0), v = probs.size(1);
    int[] topK = new int[s];
    double[] topP = new double[s], minP = new double[s];
    for (int i = 0; i < s; i++) {
      SamplingParams p = params.get(i);
      topK[i] = filtered[i] ? p.topK() : 0;
      topP[i] = filtered[i] ? p.topP() : 1;
      minP[i] = filtered[i] ? p.minP() : 0;
    }
    if (probs.backend() instanceof TopFilter filter) {
      Tensor out = Tensor.empty(probs.device(), DType.F64, s, v);
      filter.topFilter(out, probs, topK, topP, minP);
      return out;
    }
    return Tensor.of(probs.device(), DType.F64, TopFilters.filterRows(probs.toDoubleArray(), s, v, topK, topP, minP), s, v);
  }

  /**
   * Row i's inverse-CDF pick of weights (S, V) for {@code targets[i]}: the first token whose
   * cumulative weight exceeds it (the last token of positive weight when rounding leaves the total
   * at or below it), as Sampler's draws.
   */
  private static int[] inverseCdf(Tensor weights, double[] targets) {
    int s = weights.size(0), v = weights.size(1);
    Device device = weights.device();
    int[] out = new int[s];
    Tensor below = weights.cumsum(-1).le(Tensor.of(device, DType.F64, targets, s, 1)); // cumulative <= target: the tokens before the pick
    double[] counts = below.to(DType.F64).sum(-1, false).toDoubleArray();
    double[] lastPositive = null; // only when rounding left a row's total at or below its target
    for (int i = 0; i < s; i++) {
      if (counts[i] < v) {
        out[i] = (int) counts[i];
        continue;
      }
      if (lastPositive == null) {
        Tensor none = Tensor.scalar(device, DType.F64, -1);
        lastPositive = Tensor.where(weights.gt(0), Tensor.arange(device, DType.F64, v), none).max(-1, false).toDoubleArray();
      }
      out[i] = (int) lastPositive[i];
    }
    return out;
  }
}

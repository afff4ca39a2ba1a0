package dev.rmr1.models.generate;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.List;

/**
 * Token choice where the logits are (the model's device), so that a decoding step of S sequences
 * moves a few numbers per sequence to the host instead of S x V logits. Every row draws what
 * {@link Sampler#sample} draws from the same generator state:
 *
 * <ul>
 *   <li>greedy: the row's argmax;
 *   <li>plain temperature sampling (RM-R1's GRPO rollouts): softmax(logits / T) in F64 and the
 *       inverse-CDF pick in vocabulary order, counted on the device;
 *   <li>top-k / top-p / min-p: the device finds the tokens of probability at least
 *       {@link Sampler#FLOOR} and, when they decide the filters ({@link Sampler#decidable}), packs
 *       them (token, probability) into a few columns per row; the host sorts and filters only those
 *       ({@link Sampler#drawFiltered}). A row they do not decide (a flat distribution) sends its
 *       whole probability row.
 * </ul>
 */
@SuppressWarnings("try") // the scope frees the temporaries
public final class DeviceSampling {
  private DeviceSampling() {}

  /**
   * Row i of logits (S, V) chosen with {@code params.get(i)} and the uniform draw
   * {@code uniforms[i]} in [0, 1) (the one draw the host's Sampler makes for the token; unused for
   * greedy rows). The sampler is the host's part of filtered rows (its buffers are reused).
   */
  public static int[] choose(Tensor logits, List<SamplingParams> params, double[] uniforms, Sampler sampler) {
    int s = logits.size(0), v = logits.size(1);
    if (params.size() != s || uniforms.length != s)
      throw new IllegalArgumentException(s + " logits rows, " + params.size() + " sampling parameters and " + uniforms.length + " uniforms");
    int[] out = new int[s];
    boolean anyGreedy = params.stream().anyMatch(SamplingParams::greedy), anySampled = params.stream().anyMatch(p -> !p.greedy());
    boolean anyPlain = params.stream().anyMatch(p -> !p.greedy() && !Sampler.filters(p, v));
    boolean anyFiltered = params.stream().anyMatch(p -> !p.greedy() && Sampler.filters(p, v));
    Device device = logits.device();
    try (TensorScope scope = TensorScope.open()) {
      if (anyGreedy) {
        long[] best = logits.argmax(-1, false).toLongArray(); // ties to the first, the first NaN winning, as Sampler.argmax
        for (int i = 0; i < s; i++) if (params.get(i).greedy()) out[i] = (int) best[i];
      }
      if (!anySampled) return out;
      double[] temperatures = new double[s];
      for (int i = 0; i < s; i++) temperatures[i] = params.get(i).greedy() ? 1 : params.get(i).temperature();
      Tensor scaled = logits.to(DType.F64).div(Tensor.of(device, DType.F64, temperatures, s, 1)); // (S, V) logits / T
      double[] visible = scaled.max(-1, false).toDoubleArray(); // a NaN or all -inf row has no distribution
      for (int i = 0; i < s; i++)
        if (!params.get(i).greedy() && (Double.isNaN(visible[i]) || visible[i] == Double.NEGATIVE_INFINITY))
          throw new IllegalStateException("logits row " + i + " has no finite maximum (NaN or all -inf)");
      Tensor probs = scaled.softmax(-1); // (S, V)
      if (anyPlain) {
        int[] picks = inverseCdf(probs, uniforms);
        for (int i = 0; i < s; i++) if (!params.get(i).greedy() && !Sampler.filters(params.get(i), v)) out[i] = picks[i];
      }
      if (anyFiltered) {
        Tensor above = probs.ge(Tensor.scalar(device, DType.F64, Sampler.FLOOR)); // (S, V) the candidates
        Tensor aboveF = above.to(DType.F64);
        double[] counts = aboveF.sum(-1, false).toDoubleArray(), masses = probs.mul(aboveF).sum(-1, false).toDoubleArray();
        double[] tops = probs.max(-1, false).toDoubleArray();
        int width = 0;
        boolean[] packed = new boolean[s];
        for (int i = 0; i < s; i++) {
          SamplingParams p = params.get(i);
          if (p.greedy() || !Sampler.filters(p, v)) continue;
          packed[i] = Sampler.decidable((int) counts[i], masses[i], tops[i], p);
          if (packed[i]) width = Math.max(width, (int) counts[i]);
        }
        double[][] candidates = width == 0 ? null : pack(probs, above, aboveF, width);
        int[] tokens = new int[Math.max(width, v)];
        double[] candidateProbs = new double[Math.max(width, v)];
        for (int i = 0; i < s; i++) {
          SamplingParams p = params.get(i);
          if (p.greedy() || !Sampler.filters(p, v)) continue;
          int n;
          if (packed[i]) {
            n = (int) counts[i];
            for (int k = 0; k < n; k++) {
              tokens[k] = (int) candidates[0][i * width + k];
              candidateProbs[k] = candidates[1][i * width + k];
            }
          } else { // the floor's tokens do not decide this row's filters: all of them
            n = v;
            double[] row = probs.narrow(0, i, 1).toDoubleArray();
            for (int k = 0; k < v; k++) {
              tokens[k] = k;
              candidateProbs[k] = row[k];
            }
          }
          out[i] = sampler.drawFiltered(tokens, candidateProbs, n, p, uniforms[i]);
        }
      }
    }
    return out;
  }

  /**
   * Row i's inverse-CDF pick of probs (S, V) for {@code uniforms[i]}: the first token whose
   * cumulative probability exceeds it (the last token of positive probability when rounding leaves
   * the total at or below it), as Sampler's unfiltered draw.
   */
  private static int[] inverseCdf(Tensor probs, double[] uniforms) {
    int s = probs.size(0), v = probs.size(1);
    Device device = probs.device();
    int[] out = new int[s];
    Tensor below = probs.cumsum(-1).le(Tensor.of(device, DType.F64, uniforms, s, 1)); // cumulative <= u: the tokens before the pick
    double[] counts = below.to(DType.F64).sum(-1, false).toDoubleArray();
    double[] lastPositive = null; // only when rounding left a row's total at or below its uniform
    for (int i = 0; i < s; i++) {
      if (counts[i] < v) {
        out[i] = (int) counts[i];
        continue;
      }
      if (lastPositive == null) {
        Tensor none = Tensor.scalar(device, DType.F64, -1);
        lastPositive = Tensor.where(probs.gt(0), Tensor.arange(device, DType.F64, v), none).max(-1, false).toDoubleArray();
      }
      out[i] = (int) lastPositive[i];
    }
    return out;
  }

  /**
   * Each row's candidates (above: (S, V) BOOL, aboveF the same in F64) packed in vocabulary order
   * into {@code width} columns: {tokens, probabilities}, each S x width row-major. A candidate goes
   * to column (candidates before it); every other token adds 0 to its predecessor candidate's
   * column, which keeps the atomic additions spread over the row instead of on one spare column.
   * Rows not packed (more candidates than width) are clamped into the columns and ignored.
   */
  private static double[][] pack(Tensor probs, Tensor above, Tensor aboveF, int width) {
    int s = probs.size(0), v = probs.size(1);
    Device device = probs.device();
    Tensor zero = Tensor.scalar(device, DType.F64, 0);
    Tensor column = aboveF.cumsum(-1).sub(1).clamp(0, width - 1).to(DType.I64); // (S, V)
    Tensor tokens = Tensor.zeros(device, DType.F64, s, width)
        .scatterAddInPlace(-1, column, Tensor.where(above, Tensor.arange(device, DType.F64, v), zero));
    Tensor values = Tensor.zeros(device, DType.F64, s, width).scatterAddInPlace(-1, column, Tensor.where(above, probs, zero));
    return new double[][] {tokens.toDoubleArray(), values.toDoubleArray()};
  }
}

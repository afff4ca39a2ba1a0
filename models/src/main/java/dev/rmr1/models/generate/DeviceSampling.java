package dev.rmr1.models.generate;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;

/**
 * Token choice where the logits are (the model's device), so that a decoding step of S sequences
 * moves S token ids to the host instead of S x V logits: greedy (argmax) and plain temperature
 * sampling (no top-k, top-p or min-p: RM-R1's GRPO rollouts). Draws are {@link Sampler}'s: the same
 * uniform from each sequence's own generator, the probabilities softmax(logits / T) in F64, and the
 * inverse-CDF pick in vocabulary order. Filtered sampling stays on the host ({@link Sampler}).
 */
final class DeviceSampling {
  private DeviceSampling() {}

  /** Whether {@link #sample} draws as {@link Sampler#sample} does for these parameters. */
  static boolean plain(SamplingParams p, int vocab) {
    return !p.greedy() && (p.topK() == 0 || p.topK() >= vocab) && p.topP() >= 1 && p.minP() == 0;
  }

  /** Row i's argmax of logits (S, V), ties to the first and the first NaN winning, as {@link Sampler#argmax}. */
  static long[] argmax(Tensor logits) {
    try (Tensor ids = logits.argmax(-1, false)) {
      return ids.toLongArray();
    }
  }

  /**
   * Row i of logits (S, V) sampled at temperature {@code temperatures[i]} with the uniform draw
   * {@code uniforms[i]} in [0, 1): the first token whose cumulative probability exceeds it (the last
   * token of positive probability when rounding leaves the total below it), as {@link Sampler}.
   */
  @SuppressWarnings("try") // the scope frees the temporaries
  static int[] sample(Tensor logits, double[] temperatures, double[] uniforms) {
    int s = logits.size(0), v = logits.size(1);
    Device device = logits.device();
    int[] out = new int[s];
    try (TensorScope scope = TensorScope.open()) {
      Tensor scaled = logits.to(DType.F64).div(Tensor.of(device, DType.F64, temperatures, s, 1)); // (S, V) logits / T
      double[] visible = scaled.max(-1, false).toDoubleArray(); // a NaN or all -inf row has no distribution
      for (double m : visible)
        if (Double.isNaN(m) || m == Double.NEGATIVE_INFINITY) throw new IllegalStateException("logits row has no finite maximum (NaN or all -inf)");
      Tensor probs = scaled.softmax(-1);
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
    }
    return out;
  }
}

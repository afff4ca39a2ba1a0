package dev.rmr1.models.config;

/**
 * The inverse frequencies of rotary position embedding (RoFormer, Su et al. 2021): for a head of
 * {@code d} dimensions, {@code inv_freq[i] = theta^(-2i/d)} for {@code i = 0 .. d/2-1}, then
 * rescaled by the config's {@link RopeScaling}. transformers computes the same values in float32
 * ({@code _compute_default_rope_parameters}, {@code _compute_llama3_parameters}); these are in double
 * so the caller decides where to round.
 */
public final class RotaryFrequencies {
  private RotaryFrequencies() {}

  /** {@code (headDim/2)} inverse frequencies for {@code config}. */
  public static double[] inverse(ModelConfig config) {
    return inverse(config.headDim(), config.ropeTheta(), config.ropeScaling());
  }

  /**
   * {@code (headDim/2)} inverse frequencies.
   *
   * @throws IllegalArgumentException if {@code headDim} is not positive and even or {@code theta} is
   *     not a positive finite number
   */
  public static double[] inverse(int headDim, double theta, RopeScaling scaling) {
    if (headDim <= 0 || headDim % 2 != 0) {
      throw new IllegalArgumentException("rotary head_dim must be positive and even, got " + headDim);
    }
    if (!(theta > 0) || !Double.isFinite(theta)) {
      throw new IllegalArgumentException("rope theta must be a positive finite number, got " + theta);
    }
    double[] inv = new double[headDim / 2];
    for (int i = 0; i < inv.length; i++) {
      inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
    }
    return scaling.scale(inv);
  }
}

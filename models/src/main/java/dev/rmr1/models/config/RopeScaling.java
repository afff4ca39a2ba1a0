package dev.rmr1.models.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How rotary position frequencies are rescaled for long contexts ({@code rope_scaling} in
 * transformers v4, the non-theta part of {@code rope_parameters} in v5). Only the types the
 * supported checkpoints use exist here; any other {@code rope_type} is rejected when parsing.
 */
public sealed interface RopeScaling permits RopeScaling.None, RopeScaling.Llama3 {

  /** The {@code rope_type} string. */
  String ropeType();

  /**
   * Rescales unscaled inverse frequencies {@code theta^(-2i/d)}, {@code i = 0 .. d/2-1}; returns a
   * new array.
   */
  double[] scale(double[] inverseFrequencies);

  /**
   * The fields of this scaling as transformers writes them (including {@code rope_type}), for
   * {@code rope_scaling} in a v4 config.json; empty for {@link None}.
   */
  Map<String, Object> jsonFields();

  /** Plain RoPE (transformers {@code "default"}). */
  record None() implements RopeScaling {
    @Override
    public String ropeType() {
      return "default";
    }

    @Override
    public double[] scale(double[] inverseFrequencies) {
      return inverseFrequencies.clone();
    }

    @Override
    public Map<String, Object> jsonFields() {
      return Map.of();
    }
  }

  /**
   * Llama 3.1 frequency scaling (transformers {@code _compute_llama3_parameters}; Meta's
   * {@code apply_scaling}). With {@code L = original_max_position_embeddings}, each frequency's
   * wavelength {@code 2π/f} is compared with {@code L/high_freq_factor} and {@code L/low_freq_factor}:
   * shorter wavelengths keep their frequency, longer ones are divided by {@code factor}, and those in
   * between interpolate linearly in {@code L/wavelength} between the two. The attention scale stays 1.
   */
  record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings)
      implements RopeScaling {
    public Llama3 {
      if (!(factor > 0) || !Double.isFinite(factor)) {
        throw new ConfigException(null, "factor", "expected a positive number, got " + factor);
      }
      if (!(lowFreqFactor > 0) || !Double.isFinite(lowFreqFactor)) {
        throw new ConfigException(null, "low_freq_factor", "expected a positive number, got " + lowFreqFactor);
      }
      if (!(highFreqFactor > lowFreqFactor) || !Double.isFinite(highFreqFactor)) {
        throw new ConfigException(null, "high_freq_factor",
            "must be greater than low_freq_factor (" + lowFreqFactor + "), got " + highFreqFactor);
      }
      if (originalMaxPositionEmbeddings <= 0) {
        throw new ConfigException(null, "original_max_position_embeddings",
            "expected a positive integer, got " + originalMaxPositionEmbeddings);
      }
    }

    @Override
    public String ropeType() {
      return "llama3";
    }

    @Override
    public double[] scale(double[] inverseFrequencies) {
      double oldContext = originalMaxPositionEmbeddings;
      double lowFreqWavelen = oldContext / lowFreqFactor; // longer than this: fully scaled
      double highFreqWavelen = oldContext / highFreqFactor; // shorter than this: unchanged
      double[] out = new double[inverseFrequencies.length];
      for (int i = 0; i < out.length; i++) {
        double f = inverseFrequencies[i];
        double wavelen = 2 * Math.PI / f;
        if (wavelen < highFreqWavelen) {
          out[i] = f;
        } else if (wavelen > lowFreqWavelen) {
          out[i] = f / factor;
        } else {
          double smooth = (oldContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
          out[i] = (1 - smooth) * f / factor + smooth * f;
        }
      }
      return out;
    }

    @Override
    public Map<String, Object> jsonFields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rope_type", ropeType());
      m.put("factor", factor);
      m.put("low_freq_factor", lowFreqFactor);
      m.put("high_freq_factor", highFreqFactor);
      m.put("original_max_position_embeddings", originalMaxPositionEmbeddings);
      return m;
    }
  }
}

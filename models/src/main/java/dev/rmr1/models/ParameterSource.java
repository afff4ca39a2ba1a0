package dev.rmr1.models;

import dev.rmr1.nn.Embedding;
import dev.rmr1.nn.Linear;
import dev.rmr1.nn.Parameter;
import dev.rmr1.nn.RMSNorm;

/**
 * Gives each parameter of a model being built its value by Hugging Face name and the shape
 * {@code config.json} implies, before the module that holds it exists: the modules are built over
 * these parameters, so no placeholder tensor is allocated and then replaced (zero-filling a
 * Qwen2.5-0.5B worth of placeholders made loading its mapped checkpoint take seconds).
 */
interface ParameterSource {
  /** The parameter {@code name} (a full state-dict key) of shape {@code shape}. */
  Parameter parameter(String name, int... shape);

  /** {@code prefix}weight (out, in) and, with {@code bias}, {@code prefix}bias (out). */
  default Linear linear(String prefix, int in, int out, boolean bias) {
    Parameter w = parameter(prefix + "weight", out, in);
    return new Linear(w, bias ? parameter(prefix + "bias", out) : null);
  }

  /** {@code prefix}weight (dim). */
  default RMSNorm rmsNorm(String prefix, int dim, double eps) {
    return new RMSNorm(parameter(prefix + "weight", dim), eps);
  }

  /** {@code prefix}weight (num, dim). */
  default Embedding embedding(String prefix, int num, int dim) {
    return new Embedding(parameter(prefix + "weight", num, dim));
  }
}

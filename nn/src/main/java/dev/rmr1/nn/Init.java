package dev.rmr1.nn;

import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;

/**
 * Parameter initialisers (PyTorch's {@code torch.nn.init}), drawing on the host from a seeded
 * {@link Rng} in row-major order and writing in place in the parameter's dtype and device.
 */
public final class Init {
  private Init() {}

  public static void zeros(Parameter p) {
    p.value().fill(0);
  }

  public static void ones(Parameter p) {
    p.value().fill(1);
  }

  public static void constant(Parameter p, double value) {
    p.value().fill(value);
  }

  /** U(lo, hi). */
  public static void uniform(Parameter p, Rng rng, double lo, double hi) {
    Tensor v = p.value();
    try (Tensor t = Tensor.uniform(v.device(), v.dtype(), rng, lo, hi, v.shape())) {
      v.copyFrom(t);
    }
  }

  /** N(mean, std) (Hugging Face's {@code _init_weights} uses N(0, initializer_range)). */
  public static void normal(Parameter p, Rng rng, double mean, double std) {
    Tensor v = p.value();
    try (Tensor t = Tensor.normal(v.device(), v.dtype(), rng, mean, std, v.shape())) {
      v.copyFrom(t);
    }
  }

  /** PyTorch's {@code kaiming_uniform_(w, a)}: U(-b, b), b = sqrt(2 / (1 + a^2)) * sqrt(3 / fan_in). */
  public static void kaimingUniform(Parameter p, Rng rng, double a) {
    Tensor v = p.value();
    try (Tensor t = Tensor.kaimingUniform(v.device(), v.dtype(), rng, a, v.shape())) {
      v.copyFrom(t);
    }
  }
}

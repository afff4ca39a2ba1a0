package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import java.util.Arrays;

/**
 * Hugging Face {@code Qwen2RMSNorm}: weight * x / sqrt(mean(x^2, last dim) + eps), the statistic in
 * F32 or wider; parameter {@code weight}, initialised to ones.
 */
public final class RMSNorm extends Module {
  private final Parameter weight;
  private final double eps;

  public RMSNorm(int dim, double eps, DType dtype, Device device) {
    this(new Parameter(Tensor.ones(device, dtype, dim), true), eps);
  }

  /** A norm over an existing (dim) weight, used as is (a checkpoint's mapped tensor, say). */
  public RMSNorm(Parameter weight, double eps) {
    if (weight.shape().length != 1)
      throw new IllegalArgumentException("RMSNorm: weight must be (dim), got " + Arrays.toString(weight.shape()));
    this.weight = registerParameter("weight", weight);
    this.eps = eps;
  }

  public Parameter weight() {
    return weight;
  }

  public double eps() {
    return eps;
  }

  public Var forward(Var x) {
    return x.rmsNorm(weight.as(x.dtype()), eps);
  }
}

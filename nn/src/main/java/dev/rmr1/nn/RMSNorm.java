package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;

/**
 * Hugging Face {@code Qwen2RMSNorm}: weight * x / sqrt(mean(x^2, last dim) + eps), the statistic in
 * F32 or wider; parameter {@code weight}, initialised to ones.
 */
public final class RMSNorm extends Module {
  private final Parameter weight;
  private final double eps;

  public RMSNorm(int dim, double eps, DType dtype, Device device) {
    this.weight = registerParameter("weight", new Parameter(Tensor.ones(device, dtype, dim), true));
    this.eps = eps;
  }

  public Parameter weight() {
    return weight;
  }

  public double eps() {
    return eps;
  }

  public Var forward(Var x) {
    Var w = weight.var();
    return x.rmsNorm(w.dtype() == x.dtype() ? w : w.to(x.dtype()), eps);
  }
}

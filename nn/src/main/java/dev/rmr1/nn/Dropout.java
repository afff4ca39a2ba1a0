package dev.rmr1.nn;

import dev.rmr1.autograd.RandomState;
import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.Tensor;

/**
 * Inverted dropout (PyTorch's nn.Dropout): in training, each element is zeroed with probability p
 * and the rest scaled by 1 / (1 - p); the identity in evaluation mode or when p = 0. Masks are
 * drawn from {@link RandomState}, so gradient checkpointing replays them.
 */
public final class Dropout extends Module {
  private final double p;

  public Dropout(double p) {
    if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
    this.p = p;
  }

  public double p() {
    return p;
  }

  public Var forward(Var x) {
    if (!isTraining() || p == 0) return x;
    Tensor scale;
    try (Tensor u = Tensor.uniform(x.device(), x.dtype(), RandomState.current(), 0, 1, x.shape()); Tensor drop = u.lt(p);
        Tensor s = Tensor.scalar(x.device(), x.dtype(), 1 / (1 - p)); Tensor z = Tensor.scalar(x.device(), x.dtype(), 0)) {
      scale = Tensor.where(drop, z, s);
    }
    return x.mul(Var.constant(scale));
  }
}

package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;

/** A (num, dim) lookup table, parameter {@code weight} (PyTorch's nn.Embedding). */
public final class Embedding extends Module {
  private final Parameter weight;

  public Embedding(int num, int dim, DType dtype, Device device) {
    this.weight = registerParameter("weight", new Parameter(Tensor.zeros(device, dtype, num, dim), true));
  }

  public Parameter weight() {
    return weight;
  }

  /** ids (...) of I32/I64 -> (..., dim) in the table's dtype; the gradient is scatter-added into the table's. */
  public Var forward(Tensor ids) {
    return weight.var().embedding(ids);
  }
}

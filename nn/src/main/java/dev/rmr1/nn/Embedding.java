package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import java.util.Arrays;

/** A (num, dim) lookup table, parameter {@code weight} (PyTorch's nn.Embedding). */
public final class Embedding extends Module {
  private final Parameter weight;

  /** A zero-initialised table (to be loaded or initialised). */
  public Embedding(int num, int dim, DType dtype, Device device) {
    this(new Parameter(Tensor.zeros(device, dtype, num, dim), true));
  }

  /** A table over an existing (num, dim) parameter, used as is (a checkpoint's mapped tensor, say). */
  public Embedding(Parameter weight) {
    if (weight.shape().length != 2)
      throw new IllegalArgumentException("Embedding: weight must be (num, dim), got " + Arrays.toString(weight.shape()));
    this.weight = registerParameter("weight", weight);
  }

  public Parameter weight() {
    return weight;
  }

  /** ids (...) of I32/I64 -> (..., dim) in the table's dtype; the gradient is scatter-added into the table's. */
  public Var forward(Tensor ids) {
    return weight.var().embedding(ids);
  }
}

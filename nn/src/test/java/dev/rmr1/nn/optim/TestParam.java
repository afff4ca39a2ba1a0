package dev.rmr1.nn.optim;

import dev.rmr1.tensor.Tensor;

/** A parameter for tests: owns its value and its current gradient. */
final class TestParam implements OptimParam, AutoCloseable {
  private final String name;
  private final Tensor value;
  private Tensor grad;

  TestParam(String name, Tensor value) {
    this.name = name;
    this.value = value;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Tensor value() {
    return value;
  }

  @Override
  public Tensor grad() {
    return grad;
  }

  /** Replaces the gradient (closing the previous one); null removes it. */
  void setGrad(Tensor g) {
    if (grad != null) grad.close();
    grad = g;
  }

  @Override
  public void close() {
    value.close();
    setGrad(null);
  }
}

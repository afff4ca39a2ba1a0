package dev.rmr1.nn;

import dev.rmr1.tensor.Tensor;

/**
 * A parameter with its full dotted name in a module tree (a Hugging Face state-dict key such as
 * {@code model.layers.0.self_attn.q_proj.weight}): what an optimizer and a checkpoint need.
 */
public record NamedParameter(String name, Parameter parameter) {
  public Tensor value() {
    return parameter.value();
  }

  public Tensor grad() {
    return parameter.grad();
  }
}

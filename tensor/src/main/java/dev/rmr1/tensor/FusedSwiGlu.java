package dev.rmr1.tensor;

/**
 * An optional capability of a {@link Backend}: the SwiGLU gate of a Qwen2 / Llama MLP,
 * silu(gate) * up, and its backward, one kernel each. Composed from primitives (autograd's path
 * for backends without this) the backward is nine elementwise kernels over the (tokens,
 * intermediate) activations, the largest of a layer.
 *
 * <p>gate, up, out and the gradients share one shape and dtype (any strides). With
 * s = sigmoid(gate): out = gate s up, dUp = g gate s, dGate = g up s (1 + gate (1 - s)); each is
 * evaluated in at least F64 and rounded once.
 */
public interface FusedSwiGlu {
  void swiGlu(Tensor out, Tensor gate, Tensor up);

  /** dGate and dUp (either may be null: not wanted) from the output gradient g. */
  void swiGluBackward(Tensor dGate, Tensor dUp, Tensor g, Tensor gate, Tensor up);
}

package dev.rmr1.nn.optim;

import dev.rmr1.tensor.Tensor;

/**
 * What an optimizer needs from a trainable parameter: a stable name (the key of its state in a
 * checkpoint), the value it updates in place and the gradient of the last backward pass. Autograd's
 * parameter type implements this; the optimizer never depends on autograd.
 *
 * <p>The value is an F32 master copy during training (F64 is accepted for checks); frozen BF16
 * weights are never given to an optimizer.
 */
public interface OptimParam {
  /** Unique within one optimizer, e.g. {@code model.layers.0.self_attn.q_proj.weight}. */
  String name();

  /** The parameter tensor, updated in place by {@link Optimizer#step()}. */
  Tensor value();

  /** The gradient (same shape and dtype as {@link #value()}), or {@code null} when there is none. */
  Tensor grad();
}

package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.List;
import java.util.function.Function;

/**
 * Gradient checkpointing (Chen et al. 2016; PyTorch's {@code torch.utils.checkpoint}): runs a block
 * without recording a graph, keeping only its inputs and output, and recomputes the block's forward
 * during backward to differentiate it. A transformer checkpointed per layer keeps one (B, T, C)
 * tensor per layer instead of all of the layer's activations.
 *
 * <p>The block may use parameters (leaves) and constants freely; values computed outside the block
 * that require gradients must be passed as inputs (reaching one otherwise is reported during
 * backward). Random draws from {@link RandomState} (dropout) are replayed identically; other state
 * the block reads (training mode, enabled adapters) must not change between forward and backward.
 * Every temporary of the forward and of the recomputation is freed when that pass ends.
 */
public final class Checkpoint {
  private Checkpoint() {}

  public static Var apply(Function<Var, Var> block, Var input) {
    return apply(inputs -> block.apply(inputs.get(0)), List.of(input));
  }

  public static Var apply(Function<List<Var>, Var> block, List<Var> inputs) {
    if (!Grad.isEnabled()) return block.apply(inputs);
    long[] rngBefore = RandomState.current().snapshot();
    Tensor out;
    boolean needsGrad;
    try (TensorScope scope = TensorScope.open()) {
      Var[] result = new Var[1];
      needsGrad = Grad.probe(() -> result[0] = block.apply(inputs));
      // a fresh handle, owned by this scope, so the result survives even when the block returned a view of its input
      out = scope.keep(Grads.same(result[0].data()));
    }
    if (!needsGrad) return Var.constant(out);
    Var[] in = inputs.toArray(new Var[0]);
    // recorded even when no explicit input requires grad: the block may use parameters
    return Var.recorded("checkpoint", out, g -> recompute(block, in, rngBefore, g), new Tensor[0], in);
  }

  @SuppressWarnings("try") // the scope frees the recomputation, the guard restores the gradient mode
  private static Tensor[] recompute(Function<List<Var>, Var> block, Var[] inputs, long[] rngBefore, Tensor g) {
    long boundary = Node.lastSequence();
    long[] rngNow = RandomState.current().snapshot();
    RandomState.current().restore(rngBefore);
    Var[] detached = new Var[inputs.length];
    for (int i = 0; i < inputs.length; i++) detached[i] = Var.leaf(inputs[i].data(), inputs[i].requiresGrad());
    try (TensorScope scope = TensorScope.open(); Grad.Guard on = Grad.enabled()) {
      Var out = block.apply(List.of(detached));
      if (out.requiresGrad()) Engine.backward(out, g, false, boundary);
    } finally {
      RandomState.current().restore(rngNow);
    }
    // leaf gradients live outside every scope: the engine that called us now owns them
    Tensor[] grads = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) grads[i] = detached[i].grad();
    return grads;
  }
}

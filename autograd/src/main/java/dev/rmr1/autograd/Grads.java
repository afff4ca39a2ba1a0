package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;
import java.util.Arrays;

/** Small tensor helpers shared by the backward functions. */
final class Grads {
  private Grads() {}

  /** A new handle on the same view (backward functions hand the engine handles it then closes). */
  static Tensor same(Tensor g) {
    return g.expand(g.shape());
  }

  /**
   * The gradient of a value broadcast from {@code shape} to g's shape: g summed over the broadcast
   * dims (new leading dims and size-1 dims that were expanded), as a new handle of {@code shape}.
   */
  static Tensor sumTo(Tensor g, int[] shape) {
    int[] gs = g.shape();
    if (Arrays.equals(gs, shape)) return same(g);
    int lead = gs.length - shape.length;
    if (lead < 0) throw new IllegalArgumentException("sumTo: gradient " + Arrays.toString(gs) + " has fewer dims than " + Arrays.toString(shape));
    int n = 0;
    int[] dims = new int[gs.length];
    for (int i = 0; i < gs.length; i++)
      if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) dims[n++] = i;
    if (n == 0) return g.reshape(shape);
    try (Tensor s = g.sum(Arrays.copyOf(dims, n), true)) {
      return s.reshape(shape);
    }
  }

  /** Zeros of {@code like}'s shape, dtype and device. */
  static Tensor zerosLike(Tensor like) {
    return Tensor.zeros(like.device(), like.dtype(), like.shape());
  }

  /** A 0-d tensor of {@code like}'s dtype and device. */
  static Tensor scalarLike(Tensor like, double value) {
    return Tensor.scalar(like.device(), like.dtype(), value);
  }
}

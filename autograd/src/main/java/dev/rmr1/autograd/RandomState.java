package dev.rmr1.autograd;

import dev.rmr1.tensor.Rng;

/**
 * The random stream of the current thread for operations that draw during a forward pass
 * (dropout). It is a single, seedable stream, like PyTorch's default generator, so that
 * {@link Checkpoint} can replay a block's forward with the same draws when it recomputes it.
 */
public final class RandomState {
  private static final ThreadLocal<Rng> CURRENT = ThreadLocal.withInitial(() -> new Rng(0));

  private RandomState() {}

  public static Rng current() {
    return CURRENT.get();
  }

  /** Restarts the current thread's stream from {@code seed}. */
  public static void seed(long seed) {
    CURRENT.set(new Rng(seed));
  }
}

package dev.rmr1.autograd;

/**
 * Gradient mode of the current thread. With gradients disabled, operations build no graph and
 * their results do not require gradients (PyTorch's {@code torch.no_grad()}):
 *
 * <pre>{@code
 * try (var g = Grad.disabled()) {
 *   Var logits = model.forward(ids);   // inference: no graph, nothing saved for backward
 * }
 * }</pre>
 */
public final class Grad {
  private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

  private static final class State {
    boolean enabled = true;
    /** While a probe runs (see {@link #probe}), set when a disabled op saw an input requiring grad. */
    boolean probing;
    boolean probeHit;
  }

  private Grad() {}

  public static boolean isEnabled() {
    return STATE.get().enabled;
  }

  /** Disables gradient recording until the guard is closed (nestable). */
  public static Guard disabled() {
    return set(false);
  }

  /** Enables gradient recording until the guard is closed (inside a no-grad block, or in a backward pass). */
  public static Guard enabled() {
    return set(true);
  }

  private static Guard set(boolean enabled) {
    State s = STATE.get();
    Guard g = new Guard(s, s.enabled);
    s.enabled = enabled;
    return g;
  }

  /** Restores the previous gradient mode. */
  public static final class Guard implements AutoCloseable {
    private final State state;
    private final boolean previous;
    private boolean closed;

    private Guard(State state, boolean previous) {
      this.state = state;
      this.previous = previous;
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      state.enabled = previous;
    }
  }

  /**
   * Whether an operation on these inputs must record a graph node: gradients are enabled and some
   * input requires a gradient.
   */
  static boolean needed(Var... inputs) {
    State s = STATE.get();
    if (!s.enabled) {
      if (s.probing && !s.probeHit)
        for (Var v : inputs) if (v != null && v.requiresGrad()) s.probeHit = true;
      return false;
    }
    for (Var v : inputs) if (v != null && v.requiresGrad()) return true;
    return false;
  }

  /**
   * Runs {@code body} with gradients disabled and reports whether any operation inside saw an input
   * requiring a gradient, i.e. whether the result would have required one with gradients enabled.
   * Used by {@link Checkpoint} to run a block without a graph and still know whether its output
   * needs one (the block may use parameters that are not among its explicit inputs).
   */
  @SuppressWarnings("try") // the guard restores the gradient mode
  static boolean probe(Runnable body) {
    State s = STATE.get();
    boolean wasProbing = s.probing, wasHit = s.probeHit;
    s.probing = true;
    s.probeHit = false;
    try (Guard g = disabled()) {
      body.run();
      return s.probeHit;
    } finally {
      s.probing = wasProbing;
      s.probeHit = wasHit || s.probeHit;
    }
  }
}

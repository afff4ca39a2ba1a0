package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operation that produced a {@link Var}: its inputs and how to turn the output's gradient into
 * the inputs' gradients. Nodes form the dynamic graph that {@link Engine} walks backwards.
 */
final class Node {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /**
   * Input gradients from the output gradient {@code g}. Must not close {@code g}. Returns one entry
   * per input: {@code null} where that input needs no gradient, otherwise a new tensor handle of the
   * input's shape that the engine then owns (it may share storage with {@code g}, e.g. a view).
   */
  @FunctionalInterface
  interface Backward {
    Tensor[] apply(Tensor g);
  }

  final String op;
  final Var[] inputs;
  /** Creation order: a node's inputs were always created before it. */
  final long sequence = SEQUENCE.incrementAndGet();
  private Backward backward;
  private Tensor[] saved;

  /** {@code saved}: tensors computed only for the backward pass, closed when the graph is freed. */
  Node(String op, Var[] inputs, Backward backward, Tensor... saved) {
    this.op = op;
    this.inputs = inputs;
    this.backward = backward;
    this.saved = saved;
  }

  static long lastSequence() {
    return SEQUENCE.get();
  }

  Tensor[] backward(Tensor g) {
    if (backward == null)
      throw new IllegalStateException("backward through the graph of '" + op + "' a second time: its saved tensors were freed"
          + " by the first backward (pass retainGraph=true to the first call to keep them)");
    return backward.apply(g);
  }

  boolean isReleased() {
    return backward == null;
  }

  /** Frees what was saved for backward; a later backward through this node fails clearly. */
  void release() {
    backward = null;
    for (Tensor t : saved) t.close();
    saved = new Tensor[0];
  }

  @Override
  public String toString() {
    return op + "#" + sequence;
  }
}

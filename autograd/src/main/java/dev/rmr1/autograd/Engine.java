package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode pass over the graph below a root: nodes run in reverse topological order, each
 * node's output gradient is the sum of what its consumers sent it, and leaves accumulate into their
 * {@link Var#grad()}. Intermediate gradients are closed as soon as they are consumed, so the pass
 * needs memory for the frontier of gradients, not for all of them.
 */
final class Engine {
  private Engine() {}

  static void backward(Var root, Tensor gradOutput, boolean retainGraph) {
    backward(root, gradOutput, retainGraph, 0);
  }

  /**
   * As {@link Var#backward(Tensor, boolean)}; a node created at or before {@code boundary} (a
   * {@link Node#sequence}) must not be reached: {@link Checkpoint} uses this to reject blocks that
   * captured part of the enclosing graph instead of taking it as an input.
   */
  @SuppressWarnings("try") // the guard restores the gradient mode
  static void backward(Var root, Tensor gradOutput, boolean retainGraph, long boundary) {
    if (!root.requiresGrad())
      throw new IllegalStateException("backward of " + root + ", which does not require grad (no input of its computation requires one,"
          + " or it was computed with gradients disabled)");
    if (!Arrays.equals(gradOutput.shape(), root.shape()) || gradOutput.dtype() != root.dtype())
      throw new IllegalArgumentException("backward: output gradient " + gradOutput + " does not match the output " + root);
    if (root.isLeaf()) {
      root.accumulateGrad(gradOutput.expand(gradOutput.shape()));
      return;
    }
    List<Node> order = topologicalOrder(root.node, boundary);
    Map<Node, Tensor> pending = new IdentityHashMap<>();
    pending.put(root.node, gradOutput.expand(gradOutput.shape()));
    try (Grad.Guard noGrad = Grad.disabled()) {
      for (int i = order.size() - 1; i >= 0; i--) {
        Node n = order.get(i);
        Tensor g = pending.remove(n);
        if (g != null) {
          Tensor[] grads;
          try (g) {
            grads = n.backward(g);
          }
          for (int j = 0; j < n.inputs.length; j++) route(n, j, grads[j], pending);
        }
        if (!retainGraph) n.release();
      }
    } finally {
      for (Tensor t : pending.values()) t.close();
    }
  }

  /** Sends gradient {@code g} (owned here) of input j of node n to a leaf or to the producing node. */
  private static void route(Node n, int j, Tensor g, Map<Node, Tensor> pending) {
    if (g == null) return;
    Var in = n.inputs[j];
    if (!in.requiresGrad()) {
      g.close();
      return;
    }
    if (!Arrays.equals(g.shape(), in.shape())) {
      g.close();
      throw new IllegalStateException("backward of '" + n.op + "' produced a gradient of shape " + Arrays.toString(g.shape())
          + " for input " + j + " of shape " + Arrays.toString(in.shape()));
    }
    if (in.isLeaf()) {
      in.accumulateGrad(g);
      return;
    }
    Tensor prev = pending.get(in.node);
    if (prev == null) {
      pending.put(in.node, g);
      return;
    }
    // In place only into a dense gradient nothing else can see: either may be a view sharing storage
    // with another input's gradient (the two halves of a cat, the two inputs of an add).
    if (prev.isContiguous() && prev.ownsStorage()) {
      try (g) {
        prev.addInPlace(g);
      }
      return;
    }
    try (prev; g) {
      pending.put(in.node, prev.add(g));
    }
  }

  /** Nodes below root (inclusive) such that every node comes after all nodes it feeds from; iterative DFS. */
  private static List<Node> topologicalOrder(Node root, long boundary) {
    List<Node> order = new ArrayList<>();
    Set<Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Node> stack = new ArrayDeque<>();
    ArrayDeque<Integer> next = new ArrayDeque<>();
    visit(root, boundary);
    visited.add(root);
    stack.push(root);
    next.push(0);
    while (!stack.isEmpty()) {
      Node n = stack.peek();
      int i = next.pop();
      if (i < n.inputs.length) {
        next.push(i + 1);
        Var in = n.inputs[i];
        if (in.node != null && in.requiresGrad() && visited.add(in.node)) {
          visit(in.node, boundary);
          stack.push(in.node);
          next.push(0);
        }
      } else {
        stack.pop();
        order.add(n);
      }
    }
    return order;
  }

  private static void visit(Node n, long boundary) {
    if (n.sequence <= boundary)
      throw new IllegalStateException("a checkpointed block reached '" + n.op + "', a result computed outside the block that requires grad:"
          + " pass such values as inputs of Checkpoint.apply (only parameters and constants may be captured)");
    if (n.isReleased())
      throw new IllegalStateException("backward through the graph of '" + n.op + "' a second time: its saved tensors were freed"
          + " by the first backward (pass retainGraph=true to the first call to keep them)");
  }
}

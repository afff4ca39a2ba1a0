package dev.rmr1.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic release of intermediate tensors. Every tensor created on a thread while a scope is
 * open on that thread belongs to the innermost scope and is closed when the scope closes, unless it
 * was closed before or handed out with {@link #keep}. A training step is written as
 *
 * <pre>{@code
 * try (TensorScope step = TensorScope.open()) {
 *   Tensor loss = model.forward(batch) ...;   // every temporary is freed at the end of the block
 *   lossValue = loss.item();
 * }
 * }</pre>
 *
 * Tensors created with no open scope belong to the caller, who closes them.
 */
public final class TensorScope implements AutoCloseable {
  private static final ThreadLocal<ArrayDeque<TensorScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

  private final List<Tensor> owned = new ArrayList<>();
  private final TensorScope parent;
  private final Thread thread;
  private boolean closed;

  private TensorScope(TensorScope parent) {
    this.parent = parent;
    this.thread = Thread.currentThread();
  }

  public static TensorScope open() {
    ArrayDeque<TensorScope> stack = STACK.get();
    TensorScope s = new TensorScope(stack.peek());
    stack.push(s);
    return s;
  }

  /** The innermost open scope of this thread, or null. */
  static TensorScope current() {
    return STACK.get().peek();
  }

  void register(Tensor t) {
    owned.add(t);
    t.owner = this;
  }

  /**
   * Moves {@code t} out of this scope into the enclosing one (or to the caller when there is none)
   * and returns it, so a result survives the block that computed it.
   */
  public <T extends Tensor> T keep(T t) {
    if (t.owner != this) throw new IllegalArgumentException("keep: tensor " + t + " is not owned by this scope");
    t.owner = null;
    if (parent != null && !parent.closed) parent.register(t);
    return t;
  }

  /**
   * Takes {@code t} away from whatever scope owns it (if any), so that it outlives every open
   * scope and the caller closes it. For long-lived state first created inside a step: parameter
   * gradients (accumulated across steps), optimizer moments, KV caches.
   */
  public static <T extends Tensor> T escape(T t) {
    t.owner = null;
    return t;
  }

  /** Number of live tensors this scope would close now (for tests and diagnostics). */
  public int liveCount() {
    int n = 0;
    for (Tensor t : owned) if (t.owner == this && !t.isClosed()) n++;
    return n;
  }

  @Override
  public void close() {
    if (closed) return;
    if (Thread.currentThread() != thread) throw new IllegalStateException("a TensorScope must be closed on the thread that opened it");
    ArrayDeque<TensorScope> stack = STACK.get();
    if (stack.peek() != this) throw new IllegalStateException("TensorScopes must be closed innermost first");
    stack.pop();
    closed = true;
    for (Tensor t : owned) if (t.owner == this && !t.isClosed()) t.close();
    owned.clear();
  }
}

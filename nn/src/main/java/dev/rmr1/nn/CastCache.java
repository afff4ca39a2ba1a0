package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * While open (on this thread), {@link Parameter#as} casts each frozen parameter to a dtype once and
 * reuses the copy: a BF16 Qwen2 computing in F32 would otherwise cast its 121 q/k/v biases and norm
 * weights on every decoding step, a kernel launch and an allocation each. Open one only around work
 * that does not change the weights (generation opens one per call); closing frees the copies.
 */
public final class CastCache implements AutoCloseable {
  private static final ThreadLocal<CastCache> OPEN = new ThreadLocal<>();

  private final CastCache outer;
  private final Map<Tensor, Tensor[]> casts = new IdentityHashMap<>(); // value -> its copy per DType ordinal
  private boolean closed;

  private CastCache(CastCache outer) {
    this.outer = outer;
  }

  /** Opens a cache on this thread (nested ones are independent). */
  public static CastCache open() {
    CastCache c = new CastCache(OPEN.get());
    OPEN.set(c);
    return c;
  }

  /** The innermost open cache of this thread, or null. */
  static CastCache current() {
    return OPEN.get();
  }

  /** value cast to dt, made on the first request. */
  Var cast(Tensor value, DType dt) {
    Tensor[] byType = casts.computeIfAbsent(value, v -> new Tensor[DType.values().length]);
    if (byType[dt.ordinal()] == null) byType[dt.ordinal()] = TensorScope.escape(value.to(dt));
    return Var.constant(byType[dt.ordinal()]);
  }

  @Override
  public void close() {
    if (closed) return;
    if (OPEN.get() != this) throw new IllegalStateException("cast caches must be closed innermost first");
    closed = true;
    if (outer == null) OPEN.remove();
    else OPEN.set(outer);
    for (Tensor[] byType : casts.values())
      for (Tensor t : byType) if (t != null) t.close();
  }
}

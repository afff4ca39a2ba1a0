package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.Arrays;

/**
 * A tensor owned by a {@link Module}: a leaf {@link Var} whose data lives outside every
 * {@link TensorScope} until the module is closed. Trainable parameters hold F32 (or F64) data;
 * frozen ones may hold their stored low-precision type (BF16 base weights under LoRA).
 */
public final class Parameter implements AutoCloseable {
  private final Var var;

  /** Takes ownership of {@code data} (moved out of any open scope). */
  public Parameter(Tensor data, boolean requiresGrad) {
    this.var = Var.leaf(TensorScope.escape(data), requiresGrad);
  }

  /** The leaf to compute with; the same object for the parameter's whole life. */
  public Var var() {
    return var;
  }

  /**
   * The parameter in dtype {@code dt} to compute with: the leaf itself when it has that dtype;
   * otherwise a cast, made once while a {@link CastCache} is open when the parameter is frozen.
   */
  public Var as(DType dt) {
    if (var.dtype() == dt) return var;
    CastCache cache = CastCache.current();
    return cache != null && !requiresGrad() ? cache.cast(var.data(), dt) : var.to(dt);
  }

  /** The current value (an optimizer updates it in place). */
  public Tensor value() {
    return var.data();
  }

  /** The accumulated gradient, or null. */
  public Tensor grad() {
    return var.grad();
  }

  public boolean requiresGrad() {
    return var.requiresGrad();
  }

  /** Freezes or unfreezes; freezing drops the gradient. */
  public void setRequiresGrad(boolean requires) {
    var.setRequiresGrad(requires);
    if (!requires) var.clearGrad();
  }

  public int[] shape() {
    return var.shape();
  }

  /**
   * Replaces the value with {@code data} of the same shape (any dtype: a frozen weight may switch
   * to BF16), taking ownership of it and closing the old value. {@code name} is for the error.
   */
  public void replace(String name, Tensor data) {
    if (!Arrays.equals(data.shape(), var.shape()))
      throw new IllegalArgumentException("parameter " + name + ": shape " + Arrays.toString(data.shape()) + " does not match "
          + Arrays.toString(var.shape()));
    Tensor old = var.data();
    var.setData(TensorScope.escape(data));
    if (old != data) old.close();
  }

  /** Closes the value and the gradient. */
  @Override
  public void close() {
    var.clearGrad();
    var.data().close();
  }

  @Override
  public String toString() {
    return "Parameter" + Arrays.toString(var.shape()) + " " + var.dtype() + (requiresGrad() ? "" : " (frozen)");
  }
}

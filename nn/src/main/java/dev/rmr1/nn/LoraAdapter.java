package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;

/**
 * The LoRA branch of one Linear (Hu et al. 2021, PEFT's {@code lora.Linear}):
 * y = W x + b + s * B A dropout(x), A (r, in) Kaiming-uniform (a = sqrt 5), B (out, r) zeros.
 *
 * <p>Merging adds dW = s * B A (computed in F32, or F64 for F64 weights) to the base weight so the
 * branch costs nothing; unmerging subtracts it again. A low-precision (BF16/F16) base weight is not
 * restored exactly by subtraction, so its original tensor is kept while merged and put back.
 */
public final class LoraAdapter {
  private final Linear a, b;
  private final Dropout dropout;
  private final double scaling;
  private boolean enabled = true, merged;
  private Tensor original;

  LoraAdapter(int in, int out, LoraConfig config, DType dtype, Device device, Rng rng) {
    a = new Linear(in, config.r(), false, dtype, device);
    b = new Linear(config.r(), out, false, dtype, device);
    Init.kaimingUniform(a.weight(), rng, Math.sqrt(5));
    dropout = new Dropout(config.dropout());
    scaling = config.scaling();
  }

  /** lora_A: in -> r. */
  public Linear a() {
    return a;
  }

  /** lora_B: r -> out. */
  public Linear b() {
    return b;
  }

  Dropout dropout() {
    return dropout;
  }

  public double scaling() {
    return scaling;
  }

  public boolean isEnabled() {
    return enabled;
  }

  public boolean isMerged() {
    return merged;
  }

  /** Whether forward adds the branch: enabled and not merged into the weight. */
  public boolean isActive() {
    return enabled && !merged;
  }

  void setEnabled(boolean on) {
    enabled = on;
  }

  /** s * B(A(dropout(x))). */
  Var forward(Var x) {
    return b.forward(a.forward(dropout.forward(x))).mul(scaling);
  }

  /** dW = s * B @ A, (out, in), in F32 (F64 when the adapter is F64). */
  public Tensor delta() {
    DType dt = a.weight().value().dtype() == DType.F64 ? DType.F64 : DType.F32;
    try (Tensor bw = b.weight().value().to(dt); Tensor aw = a.weight().value().to(dt); Tensor ba = bw.matmul(aw)) {
      return ba.mul(scaling);
    }
  }

  void merge(Parameter weight) {
    if (merged) return;
    Tensor w = weight.value();
    try (Tensor d = delta()) {
      if (w.dtype() == d.dtype()) {
        w.addInPlace(d);
      } else {
        try (Tensor wide = w.to(d.dtype())) {
          wide.addInPlace(d);
          original = w;
          weight.var().setData(TensorScope.escape(wide.to(w.dtype())));
        }
      }
    }
    merged = true;
  }

  void unmerge(Parameter weight) {
    if (!merged) return;
    if (original != null) {
      Tensor mergedWeight = weight.value();
      weight.var().setData(original);
      mergedWeight.close();
      original = null;
    } else {
      try (Tensor d = delta()) {
        weight.value().subInPlace(d);
      }
    }
    merged = false;
  }

  /** Frees the kept original of a low-precision merged weight (the host Linear is being closed). */
  void close() {
    if (original != null) original.close();
    original = null;
  }
}

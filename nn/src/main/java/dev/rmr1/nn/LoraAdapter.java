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
 * <p>Merging puts W' = W + dW, dW = s * B A (summed in F32, or F64 for F64 weights, then cast to
 * W's dtype), in place of the base weight so the branch costs nothing. W' is a new tensor, never W
 * written in place: a base weight loaded zero-copy is a read-only view of the memory-mapped
 * checkpoint. The original W is kept while merged and put back by unmerging, so the round trip is
 * exact in every dtype (PEFT subtracts dW again, which leaves rounding error in the weight). The
 * price is one extra copy of each adapted weight while merged (none extra for mapped weights,
 * whose original costs only the mapping).
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

  /** Replaces {@code weight}'s value with W + dW and keeps W for {@link #unmerge}; merging twice changes nothing. */
  @SuppressWarnings("try") // the scope frees the widened intermediates
  void merge(Parameter weight) {
    if (merged) return;
    Tensor w = weight.value();
    try (Tensor d = delta(); TensorScope scope = TensorScope.open()) {
      Tensor sum = w.dtype() == d.dtype() ? w.add(d) : w.to(d.dtype()).add(d).to(w.dtype()); // (out, in)
      weight.var().setData(TensorScope.escape(sum));
    }
    original = w;
    merged = true;
  }

  /** Puts the original W back (bit for bit) and frees the merged tensor. */
  void unmerge(Parameter weight) {
    if (!merged) return;
    Tensor mergedWeight = weight.value();
    weight.var().setData(original);
    mergedWeight.close();
    original = null;
    merged = false;
  }

  /** Frees the kept original of a merged weight (the host Linear is being closed). */
  void close() {
    if (original != null) original.close();
    original = null;
  }
}

package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;

/**
 * y = x W^T + b with W (out, in) and b (out), PyTorch's nn.Linear; parameters {@code weight} and
 * {@code bias}. A frozen W may stay in BF16 while x is F32. A {@link LoraAdapter} may be attached
 * ({@link Lora#apply}); its {@code lora_A}/{@code lora_B} become children of this module so their
 * names are {@code <this>.lora_A.weight}, as in PEFT's saved files.
 */
public final class Linear extends Module {
  private final int in, out;
  private final Parameter weight, bias;
  private LoraAdapter lora;

  /** Zero-initialised F32 parameters on the CPU; see {@link #resetParameters}. */
  public Linear(int in, int out, boolean bias) {
    this(in, out, bias, DType.F32, Device.CPU);
  }

  /** Zero-initialised parameters (to be loaded from a checkpoint or {@link #resetParameters reset}). */
  public Linear(int in, int out, boolean bias, DType dtype, Device device) {
    this.in = in;
    this.out = out;
    this.weight = registerParameter("weight", new Parameter(Tensor.zeros(device, dtype, out, in), true));
    this.bias = bias ? registerParameter("bias", new Parameter(Tensor.zeros(device, dtype, out), true)) : null;
  }

  /**
   * A Linear over existing parameters, weight (out, in) and an optional bias: weight tying, e.g. a
   * Qwen2 {@code lm_head} sharing {@code model.embed_tokens.weight} when tie_word_embeddings is set.
   * The parameter is listed once, under the name of the module that registered it first.
   */
  public Linear(Parameter weight, Parameter bias) {
    int[] s = weight.shape();
    if (s.length != 2 || (bias != null && (bias.shape().length != 1 || bias.shape()[0] != s[0])))
      throw new IllegalArgumentException("Linear: weight " + java.util.Arrays.toString(s) + " must be (out, in) and bias (out), got bias "
          + (bias == null ? "none" : java.util.Arrays.toString(bias.shape())));
    this.in = s[1];
    this.out = s[0];
    this.weight = registerParameter("weight", weight);
    this.bias = bias == null ? null : registerParameter("bias", bias);
  }

  public int inFeatures() {
    return in;
  }

  public int outFeatures() {
    return out;
  }

  public Parameter weight() {
    return weight;
  }

  /** The bias, or null. */
  public Parameter bias() {
    return bias;
  }

  /** The attached adapter, or null. */
  public LoraAdapter lora() {
    return lora;
  }

  /** PyTorch's default: W ~ kaiming_uniform(a = sqrt(5)) = U(+-1/sqrt(in)), b ~ U(+-1/sqrt(in)). */
  public Linear resetParameters(Rng rng) {
    Init.kaimingUniform(weight, rng, Math.sqrt(5));
    if (bias != null) {
      double bound = in > 0 ? 1 / Math.sqrt(in) : 0;
      Init.uniform(bias, rng, -bound, bound);
    }
    return this;
  }

  /** (..., in) -> (..., out), plus the adapter's branch when one is attached and active. */
  public Var forward(Var x) {
    if (x.size(-1) != in)
      throw new IllegalArgumentException("Linear(" + in + " -> " + out + "): input " + java.util.Arrays.toString(x.shape()) + " has last dim " + x.size(-1));
    Var y = x.matmul(weight.var().transpose(0, 1));
    if (bias != null) y = y.add(bias.as(y.dtype()));
    if (lora != null && lora.isActive()) y = y.add(lora.forward(x));
    return y;
  }

  void attach(LoraAdapter adapter) {
    if (lora != null) throw new IllegalStateException("a LoRA adapter is already attached to this Linear");
    lora = adapter;
    registerModule("lora_A", adapter.a());
    registerModule("lora_B", adapter.b());
    registerModule("lora_dropout", adapter.dropout());
  }

  @Override
  public void close() {
    super.close();
    if (lora != null) lora.close();
  }
}

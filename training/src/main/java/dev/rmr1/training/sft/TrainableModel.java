package dev.rmr1.training.sft;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.LoraConfig;
import dev.rmr1.nn.NamedParameter;
import dev.rmr1.nn.Parameter;
import dev.rmr1.nn.optim.OptimParam;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A causal LM set up for training: either every weight as a trainable F32 copy (full fine-tuning, as RM-R1 trained),
 * or a frozen base (zero-copy, any dtype) with LoRA adapters on the targeted linear layers (spec 7; a reported
 * deviation). Knows its trainable parameters, which are what a training checkpoint stores.
 */
public final class TrainableModel implements AutoCloseable {
  private final CausalLM model;
  private final LoraConfig lora;
  private final List<NamedParameter> trainable;

  private TrainableModel(CausalLM model, LoraConfig lora) {
    this.model = model;
    this.lora = lora;
    List<NamedParameter> params = new ArrayList<>();
    if (lora != null) Lora.adapterParameters(model).forEach((n, p) -> params.add(new NamedParameter(n, p)));
    else params.addAll(model.trainableParameters());
    if (params.isEmpty()) throw new IllegalArgumentException("the model has no trainable parameters");
    this.trainable = List.copyOf(params);
  }

  /**
   * Loads {@code dir} for full fine-tuning (F32 master weights) or, with {@code lora}, as a frozen base in its stored
   * dtype with fresh adapters whose A matrices draw from {@code rng}.
   */
  public static TrainableModel load(Path dir, Device device, LoraConfig lora, Rng rng) {
    if (lora == null) return new TrainableModel(CausalLM.load(dir, LoadOptions.training().withDevice(device)), null);
    CausalLM m = CausalLM.load(dir, LoadOptions.inference().withDevice(device));
    try {
      Lora.apply(m, lora, rng);
      return new TrainableModel(m, lora);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** Wraps an already prepared model (adapters attached when {@code lora} is not null). */
  public static TrainableModel of(CausalLM model, LoraConfig lora) {
    return new TrainableModel(model, lora);
  }

  public CausalLM model() {
    return model;
  }

  /** The LoRA configuration, or null for full fine-tuning. */
  public LoraConfig lora() {
    return lora;
  }

  public boolean isLora() {
    return lora != null;
  }

  /** The trainable parameters by name, in a fixed order. */
  public List<NamedParameter> parameters() {
    return trainable;
  }

  /** The trainable parameters as an optimizer sees them. */
  public List<OptimParam> optimParams() {
    return new ArrayList<>(trainable); // a NamedParameter is an OptimParam
  }

  /** Number of trainable scalars. */
  public long trainableCount() {
    long n = 0;
    for (NamedParameter p : trainable) n += p.value().numel();
    return n;
  }

  public void clearGrads() {
    for (NamedParameter p : trainable) p.parameter().var().clearGrad();
  }

  /** The trainable parameters' tensors by name (the tensors themselves, not copies). */
  public Map<String, Tensor> trainableTensors() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (NamedParameter p : trainable) m.put(p.name(), p.value());
    return m;
  }

  /**
   * Copies the trainable parameters of {@code f} into this model: every name must be present with the same shape and
   * dtype, and nothing else may be in the file.
   */
  @SuppressWarnings("try") // the scope frees the views of the file
  public void loadTrainable(SafeTensorsFile f) {
    try (TensorScope scope = TensorScope.open()) {
      List<String> names = new ArrayList<>();
      for (NamedParameter p : trainable) {
        names.add(p.name());
        if (!f.contains(p.name())) throw new IllegalArgumentException(f.path() + ": no tensor '" + p.name() + "'");
        Tensor t = f.tensor(p.name());
        Tensor v = p.value();
        if (!Arrays.equals(t.shape(), v.shape()) || t.dtype() != v.dtype())
          throw new IllegalArgumentException(f.path() + ": tensor '" + p.name() + "' is " + Arrays.toString(t.shape()) + " " + t.dtype()
              + ", the model's is " + Arrays.toString(v.shape()) + " " + v.dtype());
        v.copyFrom(t);
      }
      for (String n : f.names())
        if (!names.contains(n)) throw new IllegalArgumentException(f.path() + ": unexpected tensor '" + n + "' (not a trainable parameter of this model)");
    }
  }

  @Override
  public void close() {
    model.close();
  }

  /** The parameter named {@code name}, for tests and exports. */
  public Parameter parameter(String name) {
    for (NamedParameter p : trainable) if (p.name().equals(name)) return p.parameter();
    throw new IllegalArgumentException("no trainable parameter '" + name + "'");
  }
}

package dev.rmr1.models;

import dev.rmr1.nn.Module;
import dev.rmr1.nn.Parameter;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensorsReader;
import dev.rmr1.tensor.safetensors.TensorInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fills modules from a checkpoint by Hugging Face name. Each parameter gets the checkpoint tensor
 * itself (a zero-copy view of the mapped file) when {@link LoadOptions} keep its dtype, device and
 * frozen state, and a converted copy otherwise. A missing tensor or one whose shape contradicts the
 * module built from {@code config.json} is an error naming the tensor (and both shapes).
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
final class CheckpointWeights implements ParameterFill {
  private final SafeTensorsReader reader;
  private final String where;
  private final LoadOptions options;
  private final Set<String> used = new HashSet<>();
  private final List<Module> filled = new ArrayList<>();

  CheckpointWeights(SafeTensorsReader reader, String where, LoadOptions options) {
    this.reader = reader;
    this.where = where;
    this.options = options;
  }

  @Override
  public <M extends Module> M fill(String prefix, M module) {
    try {
      module.namedParameters().forEach((name, p) -> load(prefix + name, p));
    } catch (RuntimeException e) {
      module.close();
      throw e;
    }
    filled.add(module);
    return module;
  }

  /** Frees every module filled so far (loading failed before the model existed). */
  void closeFilled() {
    for (Module m : filled) m.close();
    filled.clear();
  }

  private void load(String name, Parameter p) {
    if (!reader.contains(name))
      throw new CheckpointException(where + ": missing tensor '" + name + "' (expected shape " + Arrays.toString(p.shape()) + ")");
    TensorInfo info = reader.info(name);
    if (!Arrays.equals(info.shape(), p.shape()))
      throw new CheckpointException(where + ": tensor '" + name + "' has shape " + Arrays.toString(info.shape())
          + " but config.json implies " + Arrays.toString(p.shape()));
    if (!info.dtype().isFloating())
      throw new CheckpointException(where + ": tensor '" + name + "' has dtype " + info.dtype() + ", expected a floating dtype");
    DType target = options.resolve(info.dtype());
    Tensor value;
    try (TensorScope scope = TensorScope.open()) {
      Tensor mapped = reader.tensor(name);
      Tensor t = mapped;
      if (target != t.dtype() || options.trainable()) t = t.to(target); // a writable copy
      if (!options.device().isCpu()) t = t.to(options.device());
      value = TensorScope.escape(t);
    }
    p.replace(name, value);
    p.setRequiresGrad(options.trainable());
    used.add(name);
  }

  /**
   * The checkpoint's tensors that no parameter took, except those in {@code ignorable} (an LM head
   * the config ties to the embedding, rotary buffers some exporters save).
   */
  List<String> unused(Set<String> ignorable) {
    List<String> out = new ArrayList<>();
    for (String n : reader.names()) if (!used.contains(n) && !ignorable.contains(n) && !n.endsWith(".rotary_emb.inv_freq")) out.add(n);
    return out;
  }
}

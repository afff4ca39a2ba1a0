package dev.rmr1.models;

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
 * Parameters from a checkpoint by Hugging Face name. Each parameter is the checkpoint tensor
 * itself (a zero-copy view of the mapped file) when {@link LoadOptions} keep its dtype, device and
 * frozen state, and a converted copy otherwise. A missing tensor or one whose shape contradicts the
 * module built from {@code config.json} is an error naming the tensor (and both shapes).
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
final class CheckpointWeights implements ParameterSource {
  private final SafeTensorsReader reader;
  private final String where;
  private final LoadOptions options;
  private final Set<String> used = new HashSet<>();
  private final List<Parameter> created = new ArrayList<>();

  CheckpointWeights(SafeTensorsReader reader, String where, LoadOptions options) {
    this.reader = reader;
    this.where = where;
    this.options = options;
  }

  /** Frees every parameter given out so far (loading failed before the model existed). */
  void closeCreated() {
    for (Parameter p : created) p.close();
    created.clear();
  }

  @Override
  public Parameter parameter(String name, int... shape) {
    if (!reader.contains(name))
      throw new CheckpointException(where + ": missing tensor '" + name + "' (expected shape " + Arrays.toString(shape) + ")");
    TensorInfo info = reader.info(name);
    if (!Arrays.equals(info.shape(), shape))
      throw new CheckpointException(where + ": tensor '" + name + "' has shape " + Arrays.toString(info.shape())
          + " but config.json implies " + Arrays.toString(shape));
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
    Parameter p = new Parameter(value, options.trainable());
    created.add(p);
    used.add(name);
    return p;
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

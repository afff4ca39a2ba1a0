package dev.rmr1.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.LoraConfig;
import dev.rmr1.nn.Module;
import dev.rmr1.nn.Parameter;
import dev.rmr1.nn.PeftNames;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A PEFT LoRA adapter directory: {@code adapter_config.json} plus {@code adapter_model.safetensors}
 * whose keys are {@code base_model.model.<module>.lora_A.weight} / {@code lora_B.weight}
 * (see {@link PeftNames}). Loading attaches adapters to a model with {@link Lora#apply} and copies
 * the saved values in; saving writes the files PEFT's {@code PeftModel.from_pretrained} reads.
 * Only plain LoRA is accepted: DoRA, per-module rank/alpha patterns, trained biases, layer
 * selections and {@code modules_to_save} are rejected with the field named.
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
public final class PeftAdapter {
  public static final String CONFIG = "adapter_config.json";
  public static final String WEIGHTS = "adapter_model.safetensors";
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private PeftAdapter() {}

  /** The LoRA hyper-parameters of {@code dir/adapter_config.json}. */
  public static LoraConfig readConfig(Path dir) {
    Path file = dir.resolve(CONFIG);
    JsonNode root;
    try {
      root = MAPPER.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    String peftType = root.path("peft_type").asText("LORA");
    if (!peftType.equals("LORA")) throw new CheckpointException(file + ": field 'peft_type' is '" + peftType + "', only LORA is supported");
    requireAbsentOrFalse(file, root, "use_dora");
    requireAbsentOrFalse(file, root, "fan_in_fan_out");
    requireAbsentOrEmpty(file, root, "rank_pattern");
    requireAbsentOrEmpty(file, root, "alpha_pattern");
    requireAbsentOrEmpty(file, root, "modules_to_save");
    requireAbsentOrEmpty(file, root, "layers_to_transform");
    String bias = root.path("bias").asText("none");
    if (!bias.equals("none")) throw new CheckpointException(file + ": field 'bias' is '" + bias + "', only 'none' is supported");
    if (!root.path("r").isInt()) throw new CheckpointException(file + ": field 'r' must be an integer");
    if (!root.path("lora_alpha").isNumber()) throw new CheckpointException(file + ": field 'lora_alpha' must be a number");
    JsonNode targets = root.path("target_modules");
    List<String> targetList = new ArrayList<>();
    if (targets.isTextual()) targetList.add(targets.asText());
    else if (targets.isArray()) targets.forEach(t -> targetList.add(t.asText()));
    else throw new CheckpointException(file + ": field 'target_modules' must be a string or a list of module names");
    // PEFT stores target_modules as a set: its order carries no meaning
    List<String> sorted = targetList.size() > 1 ? List.copyOf(new TreeSet<>(targetList)) : targetList;
    return new LoraConfig(root.path("r").asInt(), root.path("lora_alpha").asDouble(), root.path("lora_dropout").asDouble(0),
        root.path("use_rslora").asBoolean(false), sorted);
  }

  private static void requireAbsentOrFalse(Path file, JsonNode root, String field) {
    if (root.path(field).asBoolean(false)) throw new CheckpointException(file + ": field '" + field + "' is true, which is not supported");
  }

  private static void requireAbsentOrEmpty(Path file, JsonNode root, String field) {
    JsonNode n = root.path(field);
    if (!(n.isMissingNode() || n.isNull() || (n.isContainerNode() && n.isEmpty())))
      throw new CheckpointException(file + ": field '" + field + "' is " + n + ", which is not supported");
  }

  /**
   * Attaches the adapter in {@code dir} to {@code model} (freezing everything else) and loads its
   * saved A and B matrices, cast to the adapters' dtype. Every saved tensor must find its
   * parameter with the same shape, and every adapter parameter must be saved.
   *
   * @return the adapted module names
   */
  public static List<String> load(Module model, Path dir) {
    LoraConfig config = readConfig(dir);
    // the initial values are overwritten below; the generator only fixes the draw order
    List<String> adapted = Lora.apply(model, config, new Rng(0));
    Map<String, Parameter> params = Lora.adapterParameters(model);
    Path file = dir.resolve(WEIGHTS);
    try (SafeTensorsFile f = SafeTensors.open(file)) {
      List<String> seen = new ArrayList<>();
      for (String key : f.names()) {
        String name = PeftNames.fromPeftName(key);
        Parameter p = params.get(name);
        if (p == null) throw new CheckpointException(file + ": tensor '" + key + "' matches no LoRA parameter of the model (" + name + ")");
        if (!Arrays.equals(f.info(key).shape(), p.shape()))
          throw new CheckpointException(file + ": tensor '" + key + "' has shape " + Arrays.toString(f.info(key).shape()) + ", the model's "
              + name + " has " + Arrays.toString(p.shape()));
        try (TensorScope s = TensorScope.open()) {
          p.value().copyFrom(f.tensor(key).to(p.value().dtype()));
        }
        seen.add(name);
      }
      List<String> missing = new ArrayList<>(params.keySet());
      missing.removeAll(seen);
      if (!missing.isEmpty()) throw new CheckpointException(file + ": missing LoRA tensors for " + missing);
    }
    return adapted;
  }

  /**
   * Writes {@code model}'s adapters to {@code dir} in PEFT's format: {@code adapter_config.json}
   * with {@code config} (only fields PEFT's LoraConfig knows) and the A/B matrices under PEFT's
   * saved keys.
   */
  public static void save(Module model, LoraConfig config, Path dir) {
    Map<String, Parameter> params = Lora.adapterParameters(model);
    if (params.isEmpty()) throw new IllegalArgumentException("the model has no LoRA adapters to save");
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    params.forEach((name, p) -> tensors.put(PeftNames.toSavedKey(name), p.value()));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("peft_type", "LORA");
    json.put("task_type", "CAUSAL_LM");
    json.put("auto_mapping", null);
    json.put("base_model_name_or_path", null);
    json.put("r", config.r());
    json.put("lora_alpha", config.alpha() == Math.rint(config.alpha()) ? (Object) (long) config.alpha() : (Object) config.alpha());
    json.put("lora_dropout", config.dropout());
    json.put("use_rslora", config.useRslora());
    json.put("target_modules", config.targetModules().equals(List.of(LoraConfig.ALL_LINEAR)) ? LoraConfig.ALL_LINEAR : config.targetModules());
    json.put("bias", "none");
    json.put("fan_in_fan_out", false);
    json.put("use_dora", false);
    json.put("init_lora_weights", true);
    json.put("inference_mode", true);
    json.put("modules_to_save", null);
    json.put("rank_pattern", Map.of());
    json.put("alpha_pattern", Map.of());
    json.put("revision", null);
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(CONFIG), MAPPER.writeValueAsString(json) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(CONFIG), e);
    }
    SafeTensors.write(dir.resolve(WEIGHTS), tensors);
  }
}

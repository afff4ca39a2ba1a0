package dev.rmr1.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.LoraAdapter;
import dev.rmr1.nn.LoraConfig;
import dev.rmr1.nn.Module;
import dev.rmr1.nn.Parameter;
import dev.rmr1.nn.PeftNames;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.io.AtomicFiles;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import dev.rmr1.tokenizers.PythonJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A PEFT LoRA adapter directory: {@code adapter_config.json} plus {@code adapter_model.safetensors}
 * whose keys are {@code base_model.model.<module>.lora_A.weight} / {@code lora_B.weight}
 * (see {@link PeftNames}). Loading attaches adapters to a model with {@link Lora#apply} and copies
 * the saved values in; saving writes the files PEFT's {@code save_pretrained} writes (and
 * {@code PeftModel.from_pretrained} reads).
 * Only plain LoRA is accepted: DoRA, per-module rank/alpha patterns, trained biases, layer
 * selections, excluded modules, {@code modules_to_save} and PEFT 0.21's other variants (QALoRA,
 * aLoRA, target parameters, trainable tokens, layer replication) are rejected with the field named.
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
public final class PeftAdapter {
  public static final String CONFIG = "adapter_config.json";
  public static final String WEIGHTS = "adapter_model.safetensors";
  /** The PEFT release whose adapter_config.json fields {@link #save} writes (the reference fixtures' PEFT). */
  public static final String PEFT_VERSION = "0.21.0";
  private static final ObjectMapper MAPPER = new ObjectMapper();

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
    // PEFT 0.21 fields that change what the adapter computes or where it goes
    requireAbsentOrFalse(file, root, "lora_bias");
    requireAbsentOrFalse(file, root, "use_qalora");
    requireAbsentOrEmpty(file, root, "exclude_modules");
    requireAbsentOrEmpty(file, root, "target_parameters");
    requireAbsentOrEmpty(file, root, "trainable_token_indices");
    requireAbsentOrEmpty(file, root, "layer_replication");
    requireAbsentOrEmpty(file, root, "alora_invocation_tokens");
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
   * Writes {@code model}'s adapters to {@code dir} as PEFT 0.21's {@code save_pretrained} does for a
   * causal LM: {@code adapter_model.safetensors} with the A/B matrices in their own dtype under the
   * saved keys ({@code base_model.model.<module>.lora_A.weight}, no adapter name) and
   * {@code adapter_config.json}, {@code json.dumps(config, indent=2, sort_keys=True)} with no final
   * newline, holding every field PEFT 0.21's LoraConfig writes. {@code target_modules} is written
   * as the sorted set of adapted module names: PEFT saves a set (in no fixed order), and expands
   * {@value LoraConfig#ALL_LINEAR} to the linear layers it matched before saving. Each file is
   * written next to its target and moved into place, the weights first, so the config of a
   * directory never describes weights that are not (yet) there.
   *
   * @param config the hyper-parameters the adapters were created with; r and the scaling must
   *     match the model's adapters
   * @param baseModelNameOrPath written as {@code base_model_name_or_path} (the Hub id or directory
   *     PEFT's from_pretrained loads the base from); null writes null
   */
  public static void save(Module model, LoraConfig config, String baseModelNameOrPath, Path dir) {
    Map<String, LoraAdapter> adapters = Lora.adapters(model);
    if (adapters.isEmpty()) throw new IllegalArgumentException("the model has no LoRA adapters to save");
    TreeSet<String> targets = new TreeSet<>();
    adapters.forEach((module, a) -> {
      int r = a.a().outFeatures();
      if (r != config.r() || Math.abs(a.scaling() - config.scaling()) > 1e-12 * Math.abs(config.scaling()))
        throw new IllegalArgumentException("LoRA adapter on " + module + " has r " + r + " and scaling " + a.scaling() + ", the config to save says r "
            + config.r() + " and scaling " + config.scaling());
      targets.add(module.substring(module.lastIndexOf('.') + 1));
    });
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Lora.adapterParameters(model).forEach((name, p) -> tensors.put(PeftNames.toSavedKey(name), p.value()));
    Map<String, Object> json = new HashMap<>(); // PythonJson sorts the keys
    json.put("alora_invocation_tokens", null);
    json.put("alpha_pattern", Map.of());
    json.put("arrow_config", null);
    json.put("auto_mapping", null); // PEFT fills it in only for a model saved without a task_type
    json.put("base_model_name_or_path", baseModelNameOrPath);
    json.put("bias", "none");
    json.put("corda_config", null);
    json.put("ensure_weight_tying", false);
    json.put("eva_config", null);
    json.put("exclude_modules", null);
    json.put("fan_in_fan_out", false);
    json.put("inference_mode", true); // save_pretrained always writes true
    json.put("init_lora_weights", true); // A Kaiming-uniform, B zero: PEFT's default, as Lora.apply
    json.put("kasa_config", null);
    json.put("layer_replication", null);
    json.put("layers_pattern", null);
    json.put("layers_to_transform", null);
    json.put("loftq_config", Map.of());
    json.put("lora_alpha", config.alpha() == Math.rint(config.alpha()) ? (Object) (long) config.alpha() : (Object) config.alpha());
    json.put("lora_bias", false);
    json.put("lora_dropout", config.dropout());
    json.put("lora_ga_config", null);
    json.put("megatron_config", null);
    json.put("megatron_core", "megatron.core");
    json.put("modules_to_save", null);
    json.put("monteclora_config", null);
    json.put("peft_type", "LORA");
    json.put("peft_version", PEFT_VERSION);
    json.put("qalora_group_size", 16);
    json.put("r", config.r());
    json.put("rank_pattern", Map.of());
    json.put("revision", null);
    json.put("target_modules", List.copyOf(targets));
    json.put("target_parameters", null);
    json.put("task_type", "CAUSAL_LM");
    json.put("trainable_token_indices", null);
    json.put("use_bdlora", null);
    json.put("use_dora", false);
    json.put("use_qalora", false);
    json.put("use_rslora", config.useRslora());
    json.put("velora_config", null);
    SafeTensors.write(dir.resolve(WEIGHTS), tensors); // atomic, with {"format": "pt"} as PEFT's safe_save_file
    AtomicFiles.writeString(dir.resolve(CONFIG), PythonJson.HF_FILE_STYLE.dumps(json)); // no final newline, as PEFT
  }
}

package dev.rmr1.training.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.models.CausalLM;
import dev.rmr1.models.ModelSaver;
import dev.rmr1.models.PeftAdapter;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.LoraAdapter;
import dev.rmr1.nn.Parameter;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a trained model (spec 7): the LoRA adapter in PEFT's format, and a Hugging Face model directory (for LoRA,
 * with the adapters merged into the saved weights).
 */
public final class ModelExport {
  /** The PEFT version whose file format is written (the one the reference fixtures were made with). */
  public static final String PEFT_VERSION = "0.21.0";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelExport() {}

  /**
   * Writes {@code adapter_config.json} and {@code adapter_model.safetensors} (PEFT's saved key names) into {@code dir}.
   * The config is written as PEFT writes it ({@code json.dumps(indent=2, sort_keys=True)}), with the base model's
   * name or path and the PEFT version filled in.
   */
  public static void adapter(TrainableModel model, Path dir, String baseModel) {
    if (!model.isLora()) throw new IllegalArgumentException("adapter export needs a LoRA model; this one is fully fine-tuned");
    PeftAdapter.save(model.model(), model.lora(), dir);
    Path file = dir.resolve(PeftAdapter.CONFIG);
    try {
      ObjectNode config = (ObjectNode) JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
      if (baseModel != null) config.put("base_model_name_or_path", baseModel);
      config.put("peft_version", PEFT_VERSION);
      Files.writeString(file, pythonJson(config, 0) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("rewriting " + file, e);
    }
  }

  /**
   * Writes a Hugging Face model directory (config.json, safetensors weights, generation_config.json, and the tokenizer
   * files of {@code tokenizerFrom} when not null). With LoRA every adapted weight is saved as {@code W + s B A}
   * (computed in F32, or F64 for F64 weights, then cast to the weight's dtype); the model itself is left as it was. The
   * base weights are not merged in place because they may be read-only views of the checkpoint file.
   */
  @SuppressWarnings("try") // the scope frees the merged copies
  public static void merged(TrainableModel model, Path dir, Path tokenizerFrom) {
    ModelSaver.Options options = tokenizerFrom == null ? ModelSaver.Options.defaults() : ModelSaver.Options.defaults().withTokenizerFrom(tokenizerFrom);
    CausalLM m = model.model();
    if (!model.isLora()) {
      ModelSaver.save(m, dir, options);
      return;
    }
    Map<String, Tensor> originals = new LinkedHashMap<>();
    try (TensorScope scope = TensorScope.open()) {
      for (Map.Entry<String, LoraAdapter> e : Lora.adapters(m).entrySet()) {
        Parameter w = m.parameter(e.getKey() + ".weight");
        Tensor original = w.value();
        Tensor delta = e.getValue().delta();
        Tensor merged = original.to(delta.dtype()).add(delta).to(original.dtype());
        originals.put(e.getKey(), original);
        w.var().setData(merged);
      }
      Lora.setEnabled(m, false); // the branch is in the weights now
      ModelSaver.save(m, dir, options);
    } finally { // the scope has freed the merged copies: put the originals back before anything reads the weights
      Lora.setEnabled(m, true);
      originals.forEach((name, t) -> m.parameter(name + ".weight").var().setData(t));
    }
  }

  /** Python's {@code json.dumps(value, indent=2, sort_keys=True)} (ensure_ascii aside: non-ASCII is written as is). */
  static String pythonJson(JsonNode v, int indent) {
    String pad = "  ".repeat(indent + 1), close = "  ".repeat(indent);
    if (v.isObject()) {
      if (v.isEmpty()) return "{}";
      List<String> keys = new ArrayList<>();
      for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) keys.add(it.next());
      keys.sort(null);
      StringBuilder sb = new StringBuilder("{\n");
      for (int i = 0; i < keys.size(); i++) {
        sb.append(pad).append(JSON.valueToTree(keys.get(i)).toString()).append(": ").append(pythonJson(v.get(keys.get(i)), indent + 1));
        sb.append(i + 1 < keys.size() ? ",\n" : "\n");
      }
      return sb.append(close).append('}').toString();
    }
    if (v.isArray()) {
      if (v.isEmpty()) return "[]";
      StringBuilder sb = new StringBuilder("[\n");
      for (int i = 0; i < v.size(); i++) sb.append(pad).append(pythonJson(v.get(i), indent + 1)).append(i + 1 < v.size() ? ",\n" : "\n");
      return sb.append(close).append(']').toString();
    }
    return v.toString();
  }
}

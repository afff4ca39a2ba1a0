package dev.rmr1.training.sft;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.ModelSaver;
import dev.rmr1.models.PeftAdapter;
import dev.rmr1.nn.Lora;
import java.nio.file.Path;

/**
 * Exports a trained model (spec 7): the LoRA adapter in PEFT's format, and a Hugging Face model directory (for LoRA,
 * with the adapters merged into the saved weights).
 */
public final class ModelExport {
  private ModelExport() {}

  /**
   * Writes {@code adapter_config.json} and {@code adapter_model.safetensors} into {@code dir} as PEFT's
   * {@code save_pretrained} does ({@link PeftAdapter#save}), with {@code baseModel} (the Hub id or directory the
   * base was loaded from; may be null) as {@code base_model_name_or_path}.
   */
  public static void adapter(TrainableModel model, Path dir, String baseModel) {
    if (!model.isLora()) throw new IllegalArgumentException("adapter export needs a LoRA model; this one is fully fine-tuned");
    PeftAdapter.save(model.model(), model.lora(), baseModel, dir);
  }

  /**
   * Writes a Hugging Face model directory (config.json, safetensors weights, generation_config.json, and the tokenizer
   * files of {@code tokenizerFrom} when not null). With LoRA every adapted weight is saved as {@code W + s B A}
   * ({@link Lora#merged}: summed in F32, or F64 for F64 weights, then cast to the weight's dtype); the model is left as
   * it was, its adapters merged or not.
   */
  public static void merged(TrainableModel model, Path dir, Path tokenizerFrom) {
    ModelSaver.Options options = tokenizerFrom == null ? ModelSaver.Options.defaults() : ModelSaver.Options.defaults().withTokenizerFrom(tokenizerFrom);
    CausalLM m = model.model();
    if (!model.isLora()) {
      ModelSaver.save(m, dir, options);
      return;
    }
    try (Lora.Guard merged = Lora.merged(m)) {
      ModelSaver.save(m, dir, options);
    }
  }
}

package dev.rmr1.models;

import dev.rmr1.models.config.GenerationConfig;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.models.config.ModelConfigJson;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.LoraAdapter;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes a model directory that Hugging Face transformers' {@code from_pretrained} loads:
 * {@code config.json} (v4 layout, which transformers 4 and 5 both read), the weights as
 * {@code model.safetensors} or shards with {@code model.safetensors.index.json} (as
 * {@code save_pretrained}; a tied model has no {@code lm_head.weight}), {@code
 * generation_config.json}, and the tokenizer files copied from another directory.
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
public final class ModelSaver {
  /** The tokenizer and chat-template files a Hugging Face model directory may hold. */
  public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
      "added_tokens.json", "vocab.json", "merges.txt", "tokenizer.model", "chat_template.jinja", "chat_template.json");

  /**
   * @param dtype cast the weights to this dtype (and record it as {@code torch_dtype}); empty keeps
   *     each weight's dtype (the config's dtype is then that of the embedding)
   * @param maxShardBytes shard size limit ({@link SafeTensors#DEFAULT_MAX_SHARD_BYTES} as transformers)
   * @param generationConfig written as generation_config.json; empty: the model config's token ids
   * @param tokenizerFrom a directory whose tokenizer files are copied; empty: none
   */
  public record Options(Optional<DType> dtype, long maxShardBytes, Optional<GenerationConfig> generationConfig, Optional<Path> tokenizerFrom) {
    public Options {
      Objects.requireNonNull(dtype, "dtype");
      Objects.requireNonNull(generationConfig, "generationConfig");
      Objects.requireNonNull(tokenizerFrom, "tokenizerFrom");
      if (maxShardBytes <= 0) throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
    }

    public static Options defaults() {
      return new Options(Optional.empty(), SafeTensors.DEFAULT_MAX_SHARD_BYTES, Optional.empty(), Optional.empty());
    }

    public Options withDtype(DType d) {
      return new Options(Optional.of(d), maxShardBytes, generationConfig, tokenizerFrom);
    }

    public Options withMaxShardBytes(long n) {
      return new Options(dtype, n, generationConfig, tokenizerFrom);
    }

    public Options withGenerationConfig(GenerationConfig g) {
      return new Options(dtype, maxShardBytes, Optional.of(g), tokenizerFrom);
    }

    public Options withTokenizerFrom(Path dir) {
      return new Options(dtype, maxShardBytes, generationConfig, Optional.of(dir));
    }
  }

  private ModelSaver() {}

  /**
   * Saves {@code model} to {@code dir} (created if needed; files of an earlier save are replaced).
   * LoRA adapters must be merged first ({@link Lora#merge}), or saved on their own with
   * {@link PeftAdapter#save}: an unmerged adapter would silently be lost.
   */
  public static void save(CausalLM model, Path dir, Options options) {
    for (Map.Entry<String, LoraAdapter> e : Lora.adapters(model).entrySet())
      if (e.getValue().isEnabled() && !e.getValue().isMerged())
        throw new IllegalStateException("LoRA adapter on " + e.getKey() + " is not merged: merge the adapters (Lora.merge) before saving the model, "
            + "or save them alone with PeftAdapter.save");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    DType saved = options.dtype().orElse(model.lmHeadWeight().dtype());
    try (TensorScope scope = TensorScope.open()) {
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      model.namedParameters().forEach((name, p) -> {
        if (name.contains(".lora_A.") || name.contains(".lora_B.")) return;
        Tensor v = p.value();
        tensors.put(name, options.dtype().isPresent() && v.dtype() != saved ? v.to(saved) : v);
      });
      SafeTensors.writeCheckpoint(dir, "model", tensors, SafeTensors.PT_METADATA, options.maxShardBytes());
    }
    ModelConfig config = model.config().toBuilder().dtype(saved).build();
    ModelConfigJson.write(config, dir.resolve("config.json"));
    options.generationConfig().orElseGet(() -> GenerationConfig.fromModelConfig(config)).write(dir.resolve(GenerationConfig.FILE_NAME));
    if (options.tokenizerFrom().isPresent()) copyTokenizer(options.tokenizerFrom().get(), dir);
  }

  /** Copies the tokenizer files {@code from} has into {@code to}; returns how many. */
  public static int copyTokenizer(Path from, Path to) {
    int n = 0;
    for (String f : TOKENIZER_FILES) {
      Path src = from.resolve(f);
      if (!Files.isRegularFile(src)) continue;
      try {
        Files.copy(src, to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot copy " + src + " to " + to, e);
      }
      n++;
    }
    return n;
  }
}

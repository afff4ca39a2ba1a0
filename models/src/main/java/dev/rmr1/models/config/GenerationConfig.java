package dev.rmr1.models.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.tensor.io.AtomicFiles;
import dev.rmr1.tokenizers.PythonJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Decoding defaults from {@code generation_config.json}, with transformers' {@code GenerationConfig}
 * defaults for absent (or null) fields: greedy ({@code do_sample} false), temperature 1, top-p 1,
 * top-k 50, no min-p, repetition penalty 1, no {@code max_new_tokens} and no {@code max_length}
 * (transformers then stops at a total length of 20; callers here pass their own limit).
 *
 * @param bosTokenId beginning-of-sequence id
 * @param eosTokenIds ids that end generation ({@code eos_token_id}: one int or a list)
 * @param padTokenId padding id
 * @param doSample sample (true) or decode greedily (false)
 * @param temperature softmax temperature, &gt;= 0
 * @param topP nucleus mass, in (0, 1]
 * @param topK keep the k most likely tokens; 0 keeps all
 * @param minP drop tokens whose probability is below {@code minP} times the top probability
 * @param repetitionPenalty CTRL-style penalty, &gt; 0; 1 means none
 * @param maxNewTokens limit on generated tokens
 * @param maxLength limit on prompt plus generated tokens
 */
public record GenerationConfig(
    OptionalInt bosTokenId,
    List<Integer> eosTokenIds,
    OptionalInt padTokenId,
    boolean doSample,
    double temperature,
    double topP,
    int topK,
    OptionalDouble minP,
    double repetitionPenalty,
    OptionalInt maxNewTokens,
    OptionalInt maxLength) {

  /** The name of the file in a model directory. */
  public static final String FILE_NAME = "generation_config.json";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final double DEFAULT_TEMPERATURE = 1.0;
  private static final double DEFAULT_TOP_P = 1.0;
  private static final int DEFAULT_TOP_K = 50;
  private static final double DEFAULT_REPETITION_PENALTY = 1.0;

  public GenerationConfig {
    Objects.requireNonNull(bosTokenId, "bosTokenId");
    Objects.requireNonNull(padTokenId, "padTokenId");
    Objects.requireNonNull(minP, "minP");
    Objects.requireNonNull(maxNewTokens, "maxNewTokens");
    Objects.requireNonNull(maxLength, "maxLength");
    eosTokenIds = List.copyOf(eosTokenIds);
    if (!(temperature >= 0) || !Double.isFinite(temperature)) {
      throw new ConfigException(null, "temperature", "expected a number >= 0, got " + temperature);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new ConfigException(null, "top_p", "expected a number in (0, 1], got " + topP);
    }
    if (topK < 0) throw new ConfigException(null, "top_k", "expected an integer >= 0, got " + topK);
    if (minP.isPresent() && !(minP.getAsDouble() >= 0 && minP.getAsDouble() <= 1)) {
      throw new ConfigException(null, "min_p", "expected a number in [0, 1], got " + minP.getAsDouble());
    }
    if (!(repetitionPenalty > 0) || !Double.isFinite(repetitionPenalty)) {
      throw new ConfigException(null, "repetition_penalty", "expected a positive number, got " + repetitionPenalty);
    }
    if (maxNewTokens.isPresent() && maxNewTokens.getAsInt() <= 0) {
      throw new ConfigException(null, "max_new_tokens", "expected a positive integer, got " + maxNewTokens.getAsInt());
    }
    if (maxLength.isPresent() && maxLength.getAsInt() <= 0) {
      throw new ConfigException(null, "max_length", "expected a positive integer, got " + maxLength.getAsInt());
    }
  }

  /** transformers' defaults with no special token ids. */
  public static GenerationConfig defaults() {
    return new GenerationConfig(OptionalInt.empty(), List.of(), OptionalInt.empty(), false, DEFAULT_TEMPERATURE,
        DEFAULT_TOP_P, DEFAULT_TOP_K, OptionalDouble.empty(), DEFAULT_REPETITION_PENALTY, OptionalInt.empty(),
        OptionalInt.empty());
  }

  /**
   * What transformers uses when a checkpoint has no generation_config.json: the defaults with the
   * model config's bos/eos/pad ids.
   */
  public static GenerationConfig fromModelConfig(ModelConfig c) {
    return new GenerationConfig(c.bosTokenId(), c.eosTokenIds(), c.padTokenId(), false, DEFAULT_TEMPERATURE,
        DEFAULT_TOP_P, DEFAULT_TOP_K, OptionalDouble.empty(), DEFAULT_REPETITION_PENALTY, OptionalInt.empty(),
        OptionalInt.empty());
  }

  /**
   * {@code dir/generation_config.json} if the directory has one, else {@link #fromModelConfig}.
   */
  public static GenerationConfig forModelDirectory(Path dir, ModelConfig model) {
    Path file = dir.resolve(FILE_NAME);
    return Files.isRegularFile(file) ? read(file) : fromModelConfig(model);
  }

  public static GenerationConfig read(Path file) {
    return parse(JsonFields.read(file));
  }

  /** Parses JSON text; {@code source} names it in error messages. */
  public static GenerationConfig parse(String json, String source) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new ConfigException(source, "(file)", "not valid JSON: " + e.getOriginalMessage());
    }
    return parse(JsonFields.of(root, source));
  }

  private static GenerationConfig parse(JsonFields f) {
    OptionalInt topK = f.optionalInt("top_k");
    try {
      return new GenerationConfig(
          f.optionalInt("bos_token_id"),
          f.intOrIntList("eos_token_id"),
          f.optionalInt("pad_token_id"),
          f.booleanOr("do_sample", false),
          f.doubleOr("temperature", DEFAULT_TEMPERATURE),
          f.doubleOr("top_p", DEFAULT_TOP_P),
          topK.orElse(DEFAULT_TOP_K),
          f.optionalDouble("min_p"),
          f.doubleOr("repetition_penalty", DEFAULT_REPETITION_PENALTY),
          f.optionalInt("max_new_tokens"),
          f.optionalInt("max_length"));
    } catch (ConfigException e) {
      throw e.source() == null ? e.withSource(f.source()) : e;
    }
  }

  /**
   * The fields written to generation_config.json: token ids that are set and every decoding value
   * that differs from transformers' default (as {@code save_pretrained} writes only non-defaults).
   */
  public Map<String, Object> toFields() {
    Map<String, Object> m = new TreeMap<>();
    bosTokenId.ifPresent(id -> m.put("bos_token_id", id));
    if (!eosTokenIds.isEmpty()) m.put("eos_token_id", eosTokenIds.size() == 1 ? eosTokenIds.get(0) : eosTokenIds);
    padTokenId.ifPresent(id -> m.put("pad_token_id", id));
    if (doSample) m.put("do_sample", true);
    if (temperature != DEFAULT_TEMPERATURE) m.put("temperature", temperature);
    if (topP != DEFAULT_TOP_P) m.put("top_p", topP);
    if (topK != DEFAULT_TOP_K) m.put("top_k", topK);
    minP.ifPresent(v -> m.put("min_p", v));
    if (repetitionPenalty != DEFAULT_REPETITION_PENALTY) m.put("repetition_penalty", repetitionPenalty);
    maxNewTokens.ifPresent(v -> m.put("max_new_tokens", v));
    maxLength.ifPresent(v -> m.put("max_length", v));
    return m;
  }

  /** The text of generation_config.json, as transformers writes it: json.dumps(indent=2, sort_keys=True) + "\n". */
  public String toJson() {
    return PythonJson.HF_FILE_STYLE.dumps(toFields()) + "\n";
  }

  /** Writes this config to {@code file} (atomically replacing it). */
  public void write(Path file) {
    AtomicFiles.writeString(file, toJson());
  }
}

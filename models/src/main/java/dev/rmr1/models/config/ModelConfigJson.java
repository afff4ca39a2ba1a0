package dev.rmr1.models.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.io.AtomicFiles;
import dev.rmr1.tokenizers.PythonJson;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Reads and writes {@code config.json} for Qwen2, Llama and Qwen3.
 *
 * <p>Reading accepts both transformers layouts: v4 (top-level {@code rope_theta}, optional {@code
 * rope_scaling} object, {@code torch_dtype}) and v5 ({@code rope_parameters} holding {@code
 * rope_theta}, {@code rope_type} and the scaling parameters, and {@code dtype}). When a file carries
 * both spellings of a value they must agree. Fields a config class gives a default keep that default
 * when absent ({@code num_key_value_heads}: heads, {@code head_dim}: hidden/heads, rope theta 10000,
 * {@code rms_norm_eps} 1e-6, {@code tie_word_embeddings} false, {@code attention_bias}/{@code
 * mlp_bias} false); the sizes that define the network have none and must be present.
 *
 * <p>Writing uses the v4 layout, which transformers 4 reads natively and transformers 5 converts
 * (top-level {@code rope_theta}/{@code rope_scaling} become {@code rope_parameters}, {@code
 * torch_dtype} becomes {@code dtype}).
 */
public final class ModelConfigJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final double DEFAULT_ROPE_THETA = 10000.0;
  private static final double DEFAULT_RMS_NORM_EPS = 1e-6;

  private ModelConfigJson() {}

  /** Parses {@code file}. */
  public static ModelConfig read(Path file) {
    return parse(JsonFields.read(file));
  }

  /** Parses the JSON text of a config; {@code source} names it in error messages. */
  public static ModelConfig parse(String json, String source) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new ConfigException(source, "(file)", "not valid JSON: " + e.getOriginalMessage());
    }
    return parse(JsonFields.of(root, source));
  }

  static ModelConfig parse(JsonFields f) {
    Architecture arch = architecture(f);
    String act = f.optionalString("hidden_act").orElse("silu");
    if (!act.equals("silu") && !act.equals("swish")) {
      throw f.error("hidden_act", "only silu (SwiGLU) is supported, got '" + act + "'");
    }
    checkNoSlidingWindow(f);
    OptionalDouble partialRotary = f.optionalDouble("partial_rotary_factor");
    if (partialRotary.isPresent() && partialRotary.getAsDouble() != 1.0) {
      throw f.error("partial_rotary_factor", "only full rotary embedding (1.0) is supported, got "
          + partialRotary.getAsDouble());
    }
    ModelConfig.Builder b = ModelConfig.builder(arch)
        .vocabSize(f.requiredPositiveInt("vocab_size"))
        .hiddenSize(f.requiredPositiveInt("hidden_size"))
        .intermediateSize(f.requiredPositiveInt("intermediate_size"))
        .numHiddenLayers(f.requiredPositiveInt("num_hidden_layers"))
        .numAttentionHeads(f.requiredPositiveInt("num_attention_heads"))
        .maxPositionEmbeddings(f.requiredPositiveInt("max_position_embeddings"))
        .rmsNormEps(f.doubleOr("rms_norm_eps", DEFAULT_RMS_NORM_EPS))
        .tieWordEmbeddings(f.booleanOr("tie_word_embeddings", false));
    f.optionalPositiveInt("num_key_value_heads").ifPresent(b::numKeyValueHeads);
    f.optionalPositiveInt("head_dim").ifPresent(b::headDim);
    rope(f, b);
    if (arch.hasAttentionBiasFlag()) b.attentionBias(f.booleanOr("attention_bias", false));
    if (arch.hasMlpBiasFlag()) b.mlpBias(f.booleanOr("mlp_bias", false));
    dtype(f).ifPresent(b::dtype);
    f.optionalInt("bos_token_id").ifPresent(b::bosTokenId);
    b.eosTokenIds(f.intOrIntList("eos_token_id"));
    f.optionalInt("pad_token_id").ifPresent(b::padTokenId);
    try {
      return b.build();
    } catch (ConfigException e) {
      throw e.source() == null ? e.withSource(f.source()) : e;
    }
  }

  private static Architecture architecture(JsonFields f) {
    Architecture fromClass = null;
    List<String> classes = f.stringList("architectures");
    for (String name : classes) {
      Architecture a = Architecture.byClassName(name).orElseThrow(() -> f.error("architectures",
          "unsupported architecture '" + name + "' (supported: " + Architecture.supportedClassNames() + ")"));
      if (fromClass != null && fromClass != a) {
        throw f.error("architectures", "lists two different architectures: " + classes);
      }
      fromClass = a;
    }
    Optional<String> type = f.optionalString("model_type");
    Architecture fromType = null;
    if (type.isPresent()) {
      fromType = Architecture.byModelType(type.get()).orElseThrow(() -> f.error("model_type",
          "unsupported model_type '" + type.get() + "' (supported: " + Architecture.supportedModelTypes() + ")"));
    }
    if (fromClass != null && fromType != null && fromClass != fromType) {
      throw f.error("model_type", "'" + type.get() + "' contradicts architectures " + classes);
    }
    if (fromClass == null && fromType == null) {
      throw f.error("architectures", "missing: neither architectures nor model_type is set");
    }
    return fromClass != null ? fromClass : fromType;
  }

  /**
   * Qwen2/Qwen3 configs carry sliding-window fields; the released checkpoints set {@code
   * use_sliding_window: false}, so every layer uses full attention. Anything else is rejected rather
   * than silently computed differently from transformers.
   */
  private static void checkNoSlidingWindow(JsonFields f) {
    if (f.booleanOr("use_sliding_window", false)) {
      throw f.error("use_sliding_window", "sliding-window attention is not supported (got true)");
    }
    for (String t : f.stringList("layer_types")) {
      if (!t.equals("full_attention")) {
        throw f.error("layer_types", "only full_attention layers are supported, got '" + t + "'");
      }
    }
  }

  private static void rope(JsonFields f, ModelConfig.Builder b) {
    OptionalDouble topTheta = f.optionalDouble("rope_theta");
    JsonFields v4Scaling = f.object("rope_scaling");
    JsonFields v5Params = f.object("rope_parameters");
    double theta = topTheta.orElse(DEFAULT_ROPE_THETA);
    RopeScaling scaling = v4Scaling == null ? new RopeScaling.None() : scaling(v4Scaling);
    if (v5Params != null) {
      for (String name : v5Params.fieldNames()) {
        if (v5Params.raw(name) != null && v5Params.raw(name).isObject()) {
          throw f.error("rope_parameters", "per-layer-type rope parameters ('" + name + "') are not supported");
        }
      }
      OptionalDouble v5Theta = v5Params.optionalDouble("rope_theta");
      if (v5Theta.isPresent()) {
        if (topTheta.isPresent() && topTheta.getAsDouble() != v5Theta.getAsDouble()) {
          throw f.error("rope_theta", "top-level rope_theta " + topTheta.getAsDouble()
              + " contradicts rope_parameters.rope_theta " + v5Theta.getAsDouble());
        }
        theta = v5Theta.getAsDouble();
      }
      RopeScaling v5Scaling = scaling(v5Params);
      if (v4Scaling != null && !v5Scaling.equals(scaling)) {
        throw f.error("rope_scaling", "contradicts rope_parameters (" + scaling + " vs " + v5Scaling + ")");
      }
      scaling = v5Scaling;
    }
    b.ropeTheta(theta).ropeScaling(scaling);
  }

  /** A rope scaling object: v4 {@code rope_scaling} (type in {@code rope_type} or legacy {@code type}) or v5 {@code rope_parameters}. */
  private static RopeScaling scaling(JsonFields s) {
    Optional<String> ropeType = s.optionalString("rope_type");
    Optional<String> legacyType = s.optionalString("type");
    if (ropeType.isPresent() && legacyType.isPresent() && !ropeType.equals(legacyType)) {
      throw s.error("type", "'" + legacyType.get() + "' contradicts rope_type '" + ropeType.get() + "'");
    }
    String type = ropeType.or(() -> legacyType).orElse("default");
    try {
      return switch (type) {
        case "default" -> new RopeScaling.None();
        case "llama3" -> new RopeScaling.Llama3(
            s.requiredDouble("factor"),
            s.requiredDouble("low_freq_factor"),
            s.requiredDouble("high_freq_factor"),
            s.requiredPositiveInt("original_max_position_embeddings"));
        default -> throw s.error("rope_type",
            "unsupported rope scaling type '" + type + "' (supported: default, llama3)");
      };
    } catch (ConfigException e) {
      throw e.source() == null ? e.withSource(s.source()) : e;
    }
  }

  private static Optional<DType> dtype(JsonFields f) {
    Optional<String> v4 = f.optionalString("torch_dtype");
    Optional<String> v5 = f.optionalString("dtype");
    if (v4.isPresent() && v5.isPresent() && !v4.equals(v5)) {
      throw f.error("dtype", "'" + v5.get() + "' contradicts torch_dtype '" + v4.get() + "'");
    }
    String field = v5.isPresent() ? "dtype" : "torch_dtype";
    return v5.or(() -> v4).map(name -> switch (name) {
      case "float32" -> DType.F32;
      case "float16" -> DType.F16;
      case "bfloat16" -> DType.BF16;
      case "float64" -> DType.F64;
      default -> throw f.error(field,
          "unsupported dtype '" + name + "' (supported: float32, float16, bfloat16, float64)");
    });
  }

  private static String torchName(DType d) {
    return switch (d) {
      case F32 -> "float32";
      case F16 -> "float16";
      case BF16 -> "bfloat16";
      case F64 -> "float64";
      default -> throw new IllegalArgumentException("not a weight dtype: " + d);
    };
  }

  /** The fields written to config.json (v4 layout), sorted by key. */
  public static Map<String, Object> toFields(ModelConfig c) {
    Objects.requireNonNull(c, "config");
    Map<String, Object> m = new TreeMap<>();
    Architecture a = c.architecture();
    m.put("architectures", List.of(a.className()));
    m.put("model_type", a.modelType());
    m.put("vocab_size", c.vocabSize());
    m.put("hidden_size", c.hiddenSize());
    m.put("intermediate_size", c.intermediateSize());
    m.put("num_hidden_layers", c.numHiddenLayers());
    m.put("num_attention_heads", c.numAttentionHeads());
    m.put("num_key_value_heads", c.numKeyValueHeads());
    m.put("head_dim", c.headDim());
    m.put("max_position_embeddings", c.maxPositionEmbeddings());
    m.put("rms_norm_eps", c.rmsNormEps());
    m.put("rope_theta", c.ropeTheta());
    m.put("rope_scaling", c.ropeScaling() instanceof RopeScaling.None ? null : c.ropeScaling().jsonFields());
    m.put("hidden_act", "silu");
    m.put("tie_word_embeddings", c.tieWordEmbeddings());
    m.put("attention_dropout", 0.0);
    m.put("use_cache", true);
    if (a.hasAttentionBiasFlag()) m.put("attention_bias", c.qkvBias());
    if (a.hasMlpBiasFlag()) m.put("mlp_bias", c.mlpBias());
    if (a != Architecture.LLAMA) {
      // Qwen2/Qwen3: full attention in every layer (transformers 5 derives layer_types from these).
      m.put("use_sliding_window", false);
      m.put("max_window_layers", c.numHiddenLayers());
    }
    c.dtype().ifPresent(d -> m.put("torch_dtype", torchName(d)));
    c.bosTokenId().ifPresent(id -> m.put("bos_token_id", id));
    if (!c.eosTokenIds().isEmpty()) {
      m.put("eos_token_id", c.eosTokenIds().size() == 1 ? c.eosTokenIds().get(0) : c.eosTokenIds());
    }
    c.padTokenId().ifPresent(id -> m.put("pad_token_id", id));
    return m;
  }

  /** The text of config.json for {@code c}, as transformers writes it: json.dumps(indent=2, sort_keys=True) + "\n". */
  public static String toJson(ModelConfig c) {
    return PythonJson.HF_FILE_STYLE.dumps(toFields(c)) + "\n";
  }

  /** Writes {@code c} to {@code file} (atomically replacing it). */
  public static void write(ModelConfig c, Path file) {
    AtomicFiles.writeString(file, toJson(c));
  }
}

package dev.rmr1.models.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The decoder families the project runs. They share one layer layout (RMSNorm, rotary attention with
 * grouped KV heads, SwiGLU MLP) and differ in biases and normalisation, as in transformers'
 * modeling_qwen2.py, modeling_llama.py and modeling_qwen3.py:
 *
 * <ul>
 *   <li>Qwen2: q/k/v projections with bias, o_proj without, no MLP bias (no config switch).
 *   <li>Llama: q/k/v/o bias from {@code attention_bias}, gate/up/down bias from {@code mlp_bias}.
 *   <li>Qwen3: q/k/v/o bias from {@code attention_bias}, and a per-head RMSNorm on queries and keys
 *       ({@code q_norm}, {@code k_norm}) before rotary embedding.
 * </ul>
 */
public enum Architecture {
  QWEN2("Qwen2ForCausalLM", "qwen2"),
  LLAMA("LlamaForCausalLM", "llama"),
  QWEN3("Qwen3ForCausalLM", "qwen3");

  private final String className;
  private final String modelType;

  Architecture(String className, String modelType) {
    this.className = className;
    this.modelType = modelType;
  }

  /** The transformers class name written in {@code architectures}. */
  public String className() {
    return className;
  }

  /** The {@code model_type} string. */
  public String modelType() {
    return modelType;
  }

  /** Whether q/k/v and o biases are governed by one {@code attention_bias} flag (Llama, Qwen3). */
  boolean hasAttentionBiasFlag() {
    return this != QWEN2;
  }

  /** Whether {@code mlp_bias} exists (Llama only). */
  boolean hasMlpBiasFlag() {
    return this == LLAMA;
  }

  static Optional<Architecture> byClassName(String name) {
    return Arrays.stream(values()).filter(a -> a.className.equals(name)).findFirst();
  }

  static Optional<Architecture> byModelType(String type) {
    return Arrays.stream(values()).filter(a -> a.modelType.equals(type)).findFirst();
  }

  static String supportedClassNames() {
    return Arrays.stream(values()).map(Architecture::className).collect(Collectors.joining(", "));
  }

  static String supportedModelTypes() {
    return Arrays.stream(values()).map(Architecture::modelType).collect(Collectors.joining(", "));
  }
}

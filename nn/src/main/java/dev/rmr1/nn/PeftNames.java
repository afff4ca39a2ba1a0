package dev.rmr1.nn;

import java.util.regex.Pattern;

/**
 * Maps this library's LoRA parameter names ({@code model.layers.0.self_attn.q_proj.lora_A.weight},
 * the Hugging Face module path plus {@code lora_A}/{@code lora_B}) to PEFT's:
 * <ul>
 *   <li>saved keys of {@code adapter_model.safetensors}:
 *       {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight};
 *   <li>in-memory names, which carry the adapter name:
 *       {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight}; a wrapped
 *       base weight is {@code ...q_proj.base_layer.weight}, which maps back to {@code ...q_proj.weight}.
 * </ul>
 */
public final class PeftNames {
  public static final String PREFIX = "base_model.model.";
  public static final String DEFAULT_ADAPTER = "default";
  private static final Pattern ADAPTER_NAMED = Pattern.compile("\\.(lora_[AB])\\.[^.]+\\.weight$");
  private static final Pattern LORA = Pattern.compile("\\.(lora_[AB])\\.weight$");

  private PeftNames() {}

  /** Our name to the key in PEFT's saved adapter file. */
  public static String toSavedKey(String name) {
    return PREFIX + name;
  }

  /** Our LoRA parameter name to PEFT's in-memory name for adapter {@code adapter}. */
  public static String toInMemoryName(String name, String adapter) {
    if (!LORA.matcher(name).find()) throw new IllegalArgumentException("not a LoRA parameter name (…lora_A.weight / …lora_B.weight): " + name);
    return PREFIX + LORA.matcher(name).replaceFirst(".$1." + adapter + ".weight");
  }

  /** A saved key or an in-memory name (any adapter name) back to ours. */
  public static String fromPeftName(String key) {
    if (!key.startsWith(PREFIX)) throw new IllegalArgumentException("not a PEFT parameter name (no '" + PREFIX + "' prefix): " + key);
    String name = key.substring(PREFIX.length());
    name = ADAPTER_NAMED.matcher(name).replaceFirst(".$1.weight");
    return name.replace(".base_layer.", ".");
  }
}

package dev.rmr1.training.config;

import java.util.List;
import java.util.Map;

/**
 * One assignment to a configuration key, before conversion: from a file, a flag or code.
 *
 * @param key dotted snake_case key ({@code grpo.kl_beta}) or section ({@code lora})
 * @param raw the value: null, a text (converted by the key's type), a list of texts, or
 *     {@link #ON} (an empty mapping: switch a section on with its defaults)
 * @param origin where it came from, for messages and the printed table: {@code run.yaml:12},
 *     {@code --lr}, {@code --set grpo.kl_beta}
 */
public record Setting(String key, Object raw, String origin) {
  /** The raw value of an empty mapping ({@code lora: {}}). */
  public static final Map<String, String> ON = Map.of();

  public Setting {
    if (key == null || key.isEmpty()) throw new IllegalArgumentException("a setting needs a key");
    if (raw != null && !(raw instanceof String) && !(raw instanceof List<?>) && raw != ON)
      throw new IllegalArgumentException("setting " + key + ": raw value must be null, text, a list of texts or Setting.ON, got " + raw.getClass());
    if (raw instanceof List<?> l) raw = List.copyOf(l);
  }
}

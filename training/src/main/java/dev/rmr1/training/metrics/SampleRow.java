package dev.rmr1.training.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One logged generation: the prompt, the model's completion and, in GRPO, its reward and advantage.
 *
 * @param reward null where there is none (SFT samples)
 * @param advantage null where there is none
 * @param extra further fields (group id, label, length, ...): text, numbers or booleans
 */
public record SampleRow(String prompt, String completion, Double reward, Double advantage, Map<String, Object> extra) {
  public SampleRow {
    if (prompt == null || completion == null) throw new IllegalArgumentException("a sample needs a prompt and a completion");
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : extra.entrySet()) {
      Object v = e.getValue();
      if (!(v instanceof String || v instanceof Number || v instanceof Boolean))
        throw new IllegalArgumentException("sample field '" + e.getKey() + "' must be text, a number or a boolean, got " + v);
      if (SamplesLogger.RESERVED.contains(e.getKey())) throw new IllegalArgumentException("sample field '" + e.getKey() + "' is reserved");
      copy.put(e.getKey(), v);
    }
    extra = Collections.unmodifiableMap(copy);
  }

  /** A GRPO sample. */
  public static SampleRow of(String prompt, String completion, double reward, double advantage) {
    return new SampleRow(prompt, completion, reward, advantage, Map.of());
  }

  /** A generation without reward (SFT). */
  public static SampleRow of(String prompt, String completion) {
    return new SampleRow(prompt, completion, null, null, Map.of());
  }
}

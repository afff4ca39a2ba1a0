package dev.rmr1.nn;

import java.util.List;

/**
 * LoRA hyper-parameters with PEFT semantics (RM-R1 spec section 7): rank r, alpha, dropout on the
 * adapter's input, rsLoRA scaling, and the target modules: names matched against the last
 * components of module names ({@code "q_proj"} matches {@code model.layers.0.self_attn.q_proj}),
 * or {@value #ALL_LINEAR} for every Linear except the output layer {@code lm_head}.
 */
public record LoraConfig(int r, double alpha, double dropout, boolean useRslora, List<String> targetModules) {
  public static final String ALL_LINEAR = "all-linear";

  public LoraConfig {
    if (r <= 0) throw new IllegalArgumentException("LoRA rank must be positive, got " + r);
    if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
    if (targetModules.isEmpty()) throw new IllegalArgumentException("LoRA needs at least one target module");
    targetModules = List.copyOf(targetModules);
  }

  /** PEFT's defaults for Qwen2: r 8, alpha 8, dropout 0, targets q_proj and v_proj. */
  public static LoraConfig defaults() {
    return new LoraConfig(8, 8, 0, false, List.of("q_proj", "v_proj"));
  }

  /** s = alpha / r, or alpha / sqrt(r) with rsLoRA (Kalajdzievski 2023). */
  public double scaling() {
    return useRslora ? alpha / Math.sqrt(r) : alpha / r;
  }

  /** PEFT's suffix match: the name equals a target or ends with "." + target. */
  boolean targets(String moduleName) {
    if (targetModules.contains(ALL_LINEAR)) {
      String last = moduleName.substring(moduleName.lastIndexOf('.') + 1);
      return !last.equals("lm_head");
    }
    for (String t : targetModules) if (moduleName.equals(t) || moduleName.endsWith("." + t)) return true;
    return false;
  }
}

package dev.rmr1.training.config;

import java.util.HashSet;
import java.util.List;

/**
 * LoRA adapters (section {@code lora}; null means full fine-tuning, as RM-R1 trained, so LoRA is a
 * reported deviation). Spec section 7: {@code y = W x + s B A dropout(x)}, {@code s = alpha / r},
 * or {@code alpha / sqrt(r)} with rsLoRA.
 */
public record LoraConfig(
    @Doc("adapter rank") int r,
    @Doc("scaling numerator alpha") double alpha,
    @Doc("dropout on the adapter input while training") double dropout,
    @Doc("rsLoRA scaling alpha / sqrt(r)") boolean rslora,
    @Doc("module names to adapt") List<String> targets)
    implements Validated {

  /** The seven linear layers of a Qwen2 block (PEFT's "all-linear", lm_head excluded). */
  public static final List<String> ALL_LINEAR = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

  public LoraConfig {
    targets = targets == null ? null : List.copyOf(targets);
  }

  /** PEFT's defaults (r 8, alpha 8, dropout 0) on all seven linear layers. */
  public static LoraConfig defaults() {
    return new LoraConfig(8, 8.0, 0.0, false, ALL_LINEAR);
  }

  /** The factor s of the adapter branch. */
  public double scaling() {
    return rslora ? alpha / Math.sqrt(r) : alpha / r;
  }

  @Override
  public void validate(Problems p) {
    p.check(r >= 1, "r", "must be >= 1");
    p.check(alpha > 0, "alpha", "must be > 0");
    p.check(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1)");
    p.check(!targets.isEmpty(), "targets", "must name at least one module");
    p.check(new HashSet<>(targets).size() == targets.size(), "targets", "names a module twice");
    for (String t : targets) p.check(t.matches("[A-Za-z_][A-Za-z0-9_.]*"), "targets", "'" + t + "' is not a module name");
  }
}

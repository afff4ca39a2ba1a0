package dev.rmr1.nn.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds the usual two parameter groups of transformer fine-tuning: weight decay for matrices, none
 * for biases and normalisation weights. Hugging Face's Trainer ({@code get_decay_parameter_names})
 * and OpenRLHF ({@code get_optimizer_grouped_parameters}) exclude parameters by name ("bias",
 * "norm"); here a parameter is also excluded when it has fewer than two dimensions, which covers
 * every bias and norm weight whatever its name.
 */
public final class ParamGroups {
  public static final String DECAY = "decay";
  public static final String NO_DECAY = "no_decay";

  private ParamGroups() {}

  /** True for 0-d and 1-d parameters, names whose last component is {@code bias}, and norm weights. */
  public static boolean excludedFromDecay(OptimParam p) {
    if (p.value().dim() < 2) return true;
    String[] parts = p.name().toLowerCase(Locale.ROOT).split("\\.");
    String last = parts[parts.length - 1];
    if (last.equals("bias")) return true;
    // The module holding the weight: "norm", "input_layernorm", "post_attention_layernorm", "ln_f".
    String module = parts.length >= 2 ? parts[parts.length - 2] : "";
    return module.contains("norm") || module.equals("ln_f");
  }

  /**
   * Splits {@code params} (order kept) into a {@value #DECAY} group with {@code weightDecay} and a
   * {@value #NO_DECAY} group with none, both at {@code lr}; an empty group is left out.
   */
  public static List<ParamGroup> decayAndNoDecay(List<? extends OptimParam> params, double lr, double weightDecay) {
    List<OptimParam> decay = new ArrayList<>(), noDecay = new ArrayList<>();
    for (OptimParam p : params) (excludedFromDecay(p) ? noDecay : decay).add(p);
    List<ParamGroup> groups = new ArrayList<>(2);
    if (!decay.isEmpty()) groups.add(new ParamGroup(DECAY, decay, lr, weightDecay));
    if (!noDecay.isEmpty()) groups.add(new ParamGroup(NO_DECAY, noDecay, lr, 0.0));
    return groups;
  }
}

package dev.rmr1.nn;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies and controls LoRA adapters on a module tree with PEFT semantics: the targeted Linear
 * layers get an adapter, every other parameter is frozen, and the adapters can be disabled (the
 * base model: GRPO's reference policy without a second copy of the weights), merged and unmerged.
 */
public final class Lora {
  private Lora() {}

  /** Restores the adapters' earlier state when closed; closing throws nothing. */
  public interface Guard extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Attaches an adapter to every Linear of {@code root} whose name {@code config} targets, freezes
   * all other parameters, and returns the adapted module names. Adapters are F32 (F64 on an F64
   * model) whatever the base dtype; A draws from {@code rng} in module order.
   */
  public static List<String> apply(Module root, LoraConfig config, Rng rng) {
    List<String> targets = new ArrayList<>();
    List<Linear> layers = new ArrayList<>();
    root.namedModules().forEach((name, m) -> {
      if (m instanceof Linear l && !name.endsWith("lora_A") && !name.endsWith("lora_B") && config.targets(name)) {
        targets.add(name);
        layers.add(l);
      }
    });
    if (targets.isEmpty()) throw new IllegalArgumentException("LoRA targets " + config.targetModules() + " match no Linear module");
    root.setRequiresGrad(false);
    for (Linear l : layers) {
      DType base = l.weight().value().dtype();
      DType dt = base == DType.F64 ? DType.F64 : DType.F32;
      l.attach(new LoraAdapter(l.inFeatures(), l.outFeatures(), config, dt, l.weight().value().device(), rng));
    }
    return targets;
  }

  /** The adapters of the tree by the name of the Linear that holds them. */
  public static Map<String, LoraAdapter> adapters(Module root) {
    Map<String, LoraAdapter> out = new LinkedHashMap<>();
    root.namedModules().forEach((name, m) -> {
      if (m instanceof Linear l && l.lora() != null) out.put(name, l.lora());
    });
    return out;
  }

  /** The adapters' parameters by name ({@code ...q_proj.lora_A.weight}), the trainable set. */
  public static Map<String, Parameter> adapterParameters(Module root) {
    Map<String, Parameter> out = new LinkedHashMap<>();
    root.namedParameters().forEach((name, p) -> {
      if (name.contains(".lora_A.") || name.contains(".lora_B.")) out.put(name, p);
    });
    return out;
  }

  /** Enables or disables every adapter; disabling a merged adapter unmerges it first (as PEFT). */
  public static void setEnabled(Module root, boolean on) {
    forEachLinear(root, l -> {
      if (!on) l.lora().unmerge(l.weight());
      l.lora().setEnabled(on);
    });
  }

  /** Disables the adapters until the returned guard is closed: {@code try (var base = Lora.disabled(model)) {...}}. */
  public static Guard disabled(Module root) {
    setEnabled(root, false);
    return new Reenable(root);
  }

  private record Reenable(Module root) implements Guard {
    @Override
    public void close() {
      setEnabled(root, true);
    }
  }

  /** W += s * B A for every adapter (forward then skips the branch). */
  public static void merge(Module root) {
    forEachLinear(root, l -> l.lora().merge(l.weight()));
  }

  /** Undoes {@link #merge}. */
  public static void unmerge(Module root) {
    forEachLinear(root, l -> l.lora().unmerge(l.weight()));
  }

  /**
   * Merges every adapter until the returned guard is closed, which unmerges those that were not
   * merged before: {@code try (var m = Lora.merged(model)) { save(model); }} leaves the model as it was.
   */
  public static Guard merged(Module root) {
    List<Linear> unmergedBefore = new ArrayList<>();
    forEachLinear(root, l -> {
      if (!l.lora().isMerged()) unmergedBefore.add(l);
    });
    merge(root);
    return new Unmerge(unmergedBefore);
  }

  private record Unmerge(List<Linear> layers) implements Guard {
    @Override
    public void close() {
      for (Linear l : layers) l.lora().unmerge(l.weight());
    }
  }

  private static void forEachLinear(Module root, java.util.function.Consumer<Linear> f) {
    for (Module m : root.namedModules().values()) if (m instanceof Linear l && l.lora() != null) f.accept(l);
  }
}

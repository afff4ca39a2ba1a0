package dev.rmr1.training.checkpoint;

import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import dev.rmr1.training.config.ConfigMismatchPolicy;
import dev.rmr1.training.config.EffectiveConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A complete checkpoint found on disk: its trainer state and its tensor groups (one safetensors
 * file each). Nothing is read until asked for.
 */
public final class LoadedCheckpoint {
  private final Path dir;
  private final TrainerState state;
  private final Set<String> groups;

  LoadedCheckpoint(Path dir, TrainerState state, Set<String> groups) {
    this.dir = dir;
    this.state = state;
    this.groups = Set.copyOf(groups);
  }

  /** The {@code checkpoint-<step>} directory (extra files written at save time are here too). */
  public Path dir() {
    return dir;
  }

  public int step() {
    return state.step();
  }

  public TrainerState state() {
    return state;
  }

  /** Names of the tensor groups saved ({@code model}, {@code optimizer}, ...). */
  public Set<String> groups() {
    return groups;
  }

  /** The group's safetensors file, memory-mapped; the caller closes it. */
  public SafeTensorsFile open(String group) {
    if (!groups.contains(group)) throw new IllegalArgumentException(dir + " has no tensor group '" + group + "' (it has " + groups + ")");
    return SafeTensors.open(dir.resolve(group + CheckpointManager.GROUP_SUFFIX));
  }

  /**
   * Every tensor of the group, copied into fresh CPU memory (independent of the file, which later
   * saves may delete). The tensors belong to the caller, or to the TensorScope open on this thread.
   */
  public Map<String, Tensor> read(String group) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (SafeTensorsFile f = open(group)) {
      for (String name : f.names()) {
        try (Tensor view = f.tensor(name)) {
          out.put(name, view.copy());
        }
      }
    } catch (RuntimeException e) {
      out.values().forEach(Tensor::close);
      throw e;
    }
    return out;
  }

  /**
   * Compares the configuration this checkpoint was written under with {@code current}. On a
   * difference, {@link ConfigMismatchPolicy#WARN} reports the differing keys to {@code warn};
   * {@link ConfigMismatchPolicy#ERROR} throws with them.
   *
   * @return true when the configurations match
   * @throws IllegalStateException on a mismatch under {@code ERROR}
   */
  public boolean verifyConfig(EffectiveConfig<?> current, ConfigMismatchPolicy policy, Consumer<String> warn) {
    if (state.configHash().isEmpty()) {
      warn.accept(dir + " records no configuration hash; cannot check that it belongs to this configuration");
      return false;
    }
    if (state.configHash().equals(current.hash())) return true;
    List<String> diff = EffectiveConfig.diff(state.config(), current.hashedValues());
    String msg = dir + " was written under another configuration (hash " + state.configHash().substring(0, Math.min(16, state.configHash().length()))
        + ", now " + current.hash().substring(0, 16) + ")" + (diff.isEmpty() ? "" : ":\n  " + String.join("\n  ", diff));
    if (policy == ConfigMismatchPolicy.ERROR)
      throw new IllegalStateException(msg + "\nresume with the same configuration, use another run.out, or pass --on-config-mismatch warn");
    warn.accept(msg + "\nresuming anyway (run.on_config_mismatch = warn)");
    return false;
  }

  @Override
  public String toString() {
    return "LoadedCheckpoint[" + dir + ", step " + step() + ", groups " + groups + "]";
  }
}

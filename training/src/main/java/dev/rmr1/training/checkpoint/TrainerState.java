package dev.rmr1.training.checkpoint;

import dev.rmr1.training.config.EffectiveConfig;
import dev.rmr1.training.metrics.MetricsRecord;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything besides tensors that a run needs to continue exactly where a checkpoint was taken;
 * stored as {@code trainer_state.json}.
 *
 * @param step optimizer steps completed (the checkpoint's step)
 * @param epoch passes over the data completed
 * @param dataPosition records consumed in the current epoch (the data cursor)
 * @param schedulePosition the learning-rate schedule's step (usually {@code step})
 * @param rngStates every random stream by name, as {@link dev.rmr1.tensor.Rng#snapshot()}
 * @param extra trainer-specific values (sampler kind, counters), as text
 * @param metricsTail the last metric records (for running averages and plots)
 * @param configHash {@link EffectiveConfig#hash()} of the run's configuration ("" if none)
 * @param config {@link EffectiveConfig#hashedValues()}, to say which keys differ on a mismatch
 */
public record TrainerState(int step, int epoch, long dataPosition, long schedulePosition, Map<String, long[]> rngStates,
    Map<String, String> extra, List<MetricsRecord> metricsTail, String configHash, Map<String, String> config) {

  public TrainerState {
    if (step < 0 || epoch < 0 || dataPosition < 0 || schedulePosition < 0)
      throw new IllegalArgumentException("trainer state: step " + step + ", epoch " + epoch + ", data position " + dataPosition
          + " and schedule position " + schedulePosition + " must be >= 0");
    LinkedHashMap<String, long[]> rng = new LinkedHashMap<>();
    rngStates.forEach((k, v) -> rng.put(Objects.requireNonNull(k), v.clone()));
    rngStates = Collections.unmodifiableMap(rng);
    extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    metricsTail = List.copyOf(metricsTail);
    configHash = Objects.requireNonNull(configHash, "configHash (use \"\" for none)");
    config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
  }

  /** A state with no random streams, extras, metrics or configuration yet. */
  public static TrainerState of(int step, int epoch, long dataPosition, long schedulePosition) {
    return new TrainerState(step, epoch, dataPosition, schedulePosition, Map.of(), Map.of(), List.of(), "", Map.of());
  }

  /** This state plus the random stream {@code name} (a snapshot, copied). */
  public TrainerState withRng(String name, long[] snapshot) {
    Map<String, long[]> m = new LinkedHashMap<>(rngStates);
    m.put(name, snapshot);
    return new TrainerState(step, epoch, dataPosition, schedulePosition, m, extra, metricsTail, configHash, config);
  }

  public TrainerState withExtra(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(extra);
    m.put(key, value);
    return new TrainerState(step, epoch, dataPosition, schedulePosition, rngStates, m, metricsTail, configHash, config);
  }

  public TrainerState withMetricsTail(List<MetricsRecord> tail) {
    return new TrainerState(step, epoch, dataPosition, schedulePosition, rngStates, extra, tail, configHash, config);
  }

  /** This state stamped with the run's configuration (its hash and hashed values). */
  public TrainerState withConfig(EffectiveConfig<?> cfg) {
    return new TrainerState(step, epoch, dataPosition, schedulePosition, rngStates, extra, metricsTail, cfg.hash(), cfg.hashedValues());
  }

  /** The snapshot of random stream {@code name} (a copy), for {@code Rng.restore}. */
  public long[] rng(String name) {
    long[] s = rngStates.get(name);
    if (s == null) throw new IllegalArgumentException("trainer state has no random stream '" + name + "' (it has " + rngStates.keySet() + ")");
    return s.clone();
  }

  // Arrays compare by content: two states are equal when they would resume identically.
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TrainerState t)) return false;
    if (step != t.step || epoch != t.epoch || dataPosition != t.dataPosition || schedulePosition != t.schedulePosition) return false;
    if (!rngStates.keySet().equals(t.rngStates.keySet())) return false;
    for (String k : rngStates.keySet()) if (!Arrays.equals(rngStates.get(k), t.rngStates.get(k))) return false;
    return extra.equals(t.extra) && metricsTail.equals(t.metricsTail) && configHash.equals(t.configHash) && config.equals(t.config);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(step, epoch, dataPosition, schedulePosition, extra, metricsTail, configHash, config);
    for (Map.Entry<String, long[]> e : rngStates.entrySet()) h = 31 * h + e.getKey().hashCode() ^ Arrays.hashCode(e.getValue());
    return h;
  }

  @Override
  public String toString() {
    StringBuilder rng = new StringBuilder("{");
    rngStates.forEach((k, v) -> rng.append(rng.length() > 1 ? ", " : "").append(k).append('=').append(Arrays.toString(v)));
    return "TrainerState[step=" + step + ", epoch=" + epoch + ", dataPosition=" + dataPosition + ", schedulePosition=" + schedulePosition
        + ", rngStates=" + rng + "}, extra=" + extra + ", metricsTail=" + metricsTail.size() + " records, configHash=" + configHash + "]";
  }
}

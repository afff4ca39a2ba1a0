package dev.rmr1.nn.optim;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Common machinery of the optimizers: parameter groups, the step counter that drives the
 * learning-rate schedule, and checkpointing.
 *
 * <p>State tensors are allocated by the constructor and live until {@link #close()}, so construct an
 * optimizer outside any {@link TensorScope}; {@link #step()} opens its own scope per parameter, so
 * its temporaries are freed whatever scope the caller has open.
 *
 * <p>A checkpoint ({@link #save}) holds the step count, the schedule, the hyperparameters, the
 * groups and each parameter's state keyed {@code param.<name>.<field>}. {@link #load} demands the
 * same optimizer kind, hyperparameters, groups and schedule (anything else is an error naming the
 * entry, expected and found), then restores the counters and copies the state tensors in place, so
 * training resumes bit for bit.
 */
public abstract sealed class Optimizer implements AutoCloseable permits AdamW, Sgd {
  private final String kind;
  private final List<ParamGroup> groups;
  private final List<OptimParam> params;
  /** Group index of each parameter, parallel to {@link #params}. */
  private final int[] groupOf;
  private LrSchedule schedule = LrSchedule.constant();
  private long stepCount;
  private boolean closed;

  Optimizer(String kind, List<ParamGroup> groups) {
    this.kind = kind;
    this.groups = List.copyOf(groups);
    if (this.groups.isEmpty()) throw new IllegalArgumentException(kind + ": no parameter groups");
    List<OptimParam> all = new ArrayList<>();
    List<Integer> owner = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> groupNames = new HashSet<>();
    Map<OptimParam, Boolean> seen = new IdentityHashMap<>();
    for (int g = 0; g < this.groups.size(); g++) {
      ParamGroup group = this.groups.get(g);
      if (!groupNames.add(group.name())) throw new IllegalArgumentException(kind + ": two parameter groups are named '" + group.name() + "'");
      for (OptimParam p : group.params()) {
        if (seen.put(p, Boolean.TRUE) != null) throw new IllegalArgumentException(kind + ": parameter '" + p.name() + "' appears in more than one group");
        if (!names.add(p.name())) throw new IllegalArgumentException(kind + ": two parameters are named '" + p.name() + "'");
        DType dt = p.value().dtype();
        if (dt != DType.F32 && dt != DType.F64)
          throw new IllegalArgumentException(kind + ": parameter '" + p.name() + "' is " + dt
              + "; optimizers update F32 (or F64) master weights, and frozen " + dt + " weights belong to no optimizer");
        all.add(p);
        owner.add(g);
      }
    }
    if (all.isEmpty()) throw new IllegalArgumentException(kind + ": the parameter groups hold no parameters");
    this.params = Collections.unmodifiableList(all);
    this.groupOf = owner.stream().mapToInt(Integer::intValue).toArray();
  }

  public final List<ParamGroup> groups() {
    return groups;
  }

  /** Every parameter, group by group. */
  public final List<OptimParam> params() {
    return params;
  }

  public final LrSchedule schedule() {
    return schedule;
  }

  /** Sets the schedule; the factor of step {@link #stepCount()} applies to the next {@link #step()}. */
  public final void setSchedule(LrSchedule schedule) {
    if (schedule == null) throw new IllegalArgumentException("schedule must not be null");
    this.schedule = schedule;
  }

  /** Number of completed {@link #step()} calls: the schedule position. */
  public final long stepCount() {
    return stepCount;
  }

  /** The learning rate the next {@link #step()} applies to group {@code group}. */
  public final double lr(int group) {
    return groups.get(group).lr() * schedule.factor(stepCount);
  }

  /**
   * One update of every parameter that has a gradient, at the scheduled learning rate; parameters
   * whose {@link OptimParam#grad()} is null are skipped (their state does not advance).
   */
  @SuppressWarnings("try") // the scope is used for what it frees, not referenced
  public final void step() {
    checkOpen();
    double factor = schedule.factor(stepCount);
    for (int i = 0; i < params.size(); i++) {
      OptimParam p = params.get(i);
      Tensor grad = p.grad();
      if (grad == null) continue;
      Tensor value = p.value();
      if (grad.dtype() != value.dtype() || !Arrays.equals(grad.shape(), value.shape()) || !grad.device().equals(value.device()))
        throw new IllegalArgumentException(kind + ": gradient of '" + p.name() + "' is " + grad + " but the parameter is " + value);
      ParamGroup group = groups.get(groupOf[i]);
      try (TensorScope scope = TensorScope.open()) {
        update(i, value, grad, group.lr() * factor, group.weightDecay());
      }
    }
    stepCount++;
  }

  /** Updates parameter {@code index} in place; temporaries belong to a scope closed after the call. */
  abstract void update(int index, Tensor value, Tensor grad, double lr, double weightDecay);

  /** Optimizer-wide hyperparameters, as exactly printed values (checked on {@link #load}). */
  abstract Map<String, String> hyperparameters();

  /** Per-parameter field names this optimizer may store as {@code param.<name>.<field>}. */
  abstract List<String> stateFields();

  /** Writes the per-parameter state entries. */
  abstract void saveParamState(StateWriter w) throws IOException;

  /** Checks the per-parameter entries of {@code r} (presence, dtype, shape) without changing anything. */
  abstract void checkParamState(StateReader r);

  /** Copies the (checked) per-parameter state in. */
  abstract void loadParamState(StateReader r);

  /** Closes the state tensors. */
  abstract void closeState();

  /** Index of the parameter called {@code name} in {@link #params()}. */
  final int indexOf(String name) {
    for (int i = 0; i < params.size(); i++) if (params.get(i).name().equals(name)) return i;
    throw new IllegalArgumentException(kind + ": no parameter named '" + name + "'");
  }

  /** Checks that {@code r} holds tensor {@code key} with the dtype and shape of {@code like}. */
  static void requireLike(StateReader r, String key, Tensor like) {
    if (!r.tensorKeys().contains(key)) throw new IllegalArgumentException(r.source() + ": no tensor '" + key + "' in the optimizer state");
    if (r.dtype(key) != like.dtype() || !Arrays.equals(r.shape(key), like.shape()))
      throw new IllegalArgumentException(r.source() + ": tensor '" + key + "' is " + Arrays.toString(r.shape(key)) + " " + r.dtype(key)
          + " but this optimizer expects " + Arrays.toString(like.shape()) + " " + like.dtype());
  }

  /** The checkpoint key of a per-parameter field. */
  static String key(OptimParam p, String field) {
    return "param." + p.name() + "." + field;
  }

  // ------------------------------------------------------------------ checkpoints

  public final void save(StateWriter w) throws IOException {
    checkOpen();
    for (Map.Entry<String, String> e : globalEntries().entrySet()) w.putString(e.getKey(), e.getValue());
    w.putString("step", Long.toString(stepCount));
    saveParamState(w);
  }

  /** Restores a checkpoint written by {@link #save} from an optimizer with the same configuration. */
  public final void load(StateReader r) {
    checkOpen();
    for (Map.Entry<String, String> e : globalEntries().entrySet()) {
      String stored = r.string(e.getKey());
      if (!stored.equals(e.getValue()))
        throw new IllegalArgumentException(r.source() + ": '" + e.getKey() + "' is " + stored + " in the checkpoint but " + e.getValue()
            + " in this optimizer");
    }
    long step = parseCount(r, "step");
    Set<String> known = new HashSet<>(globalEntries().keySet());
    known.add("step");
    for (OptimParam p : params) for (String f : stateFields()) known.add(key(p, f));
    for (Set<String> keys : List.of(r.stringKeys(), r.tensorKeys()))
      for (String k : keys)
        if (!known.contains(k)) throw new IllegalArgumentException(r.source() + ": unexpected entry '" + k + "' (no such parameter or field in this " + kind + ")");
    checkParamState(r);
    loadParamState(r);
    stepCount = step;
  }

  /** Atomically writes {@link #save} to {@code path} ({@link BinaryStateFile}). */
  public final void save(Path path) throws IOException {
    BinaryStateFile.write(path, this::save);
  }

  public final void load(Path path) throws IOException {
    try (BinaryStateFile.Reader r = BinaryStateFile.open(path)) {
      load(r);
    }
  }

  static long parseCount(StateReader r, String key) {
    String s = r.string(key);
    try {
      long v = Long.parseLong(s);
      if (v >= 0) return v;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(r.source() + ": '" + key + "' should be a non-negative integer, found '" + s + "'");
  }

  private Map<String, String> globalEntries() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("optimizer", kind);
    m.put("schedule", schedule.toString());
    for (Map.Entry<String, String> e : hyperparameters().entrySet()) m.put("hyper." + e.getKey(), e.getValue());
    m.put("groups", Integer.toString(groups.size()));
    for (int g = 0; g < groups.size(); g++) {
      ParamGroup group = groups.get(g);
      m.put("group." + g + ".name", group.name());
      m.put("group." + g + ".lr", Double.toString(group.lr()));
      m.put("group." + g + ".weight_decay", Double.toString(group.weightDecay()));
      m.put("group." + g + ".params", String.join("\n", group.params().stream().map(OptimParam::name).toList()));
    }
    return m;
  }

  final void checkOpen() {
    if (closed) throw new IllegalStateException(kind + " optimizer was closed");
  }

  /** A state tensor that a TensorScope closed: the optimizer was built inside a scope. */
  final void checkStateAlive(Tensor state, int index) {
    if (state.isClosed())
      throw new IllegalStateException(kind + ": the state of '" + params.get(index).name()
          + "' was released; construct the optimizer outside any TensorScope so its state outlives step scopes");
  }

  /** Closes the optimizer state (not the parameters). Idempotent. */
  @Override
  public final void close() {
    if (closed) return;
    closed = true;
    closeState();
  }
}

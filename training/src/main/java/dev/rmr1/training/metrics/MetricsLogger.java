package dev.rmr1.training.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * The per-step metrics log, {@code metrics.jsonl}: one JSON object per line,
 * {@code {"step": 12, "time": 1764201234.567, "train/loss": 0.81, "lr": 4.9e-06, ...}}, flushed as
 * it is written. Keeps the whole history in memory for the plots ({@link TrainingPlots}).
 *
 * <pre>{@code
 * try (MetricsLogger log = resumed ? MetricsLogger.resume(out.resolve("metrics.jsonl"), ckpt.step())
 *                                  : MetricsLogger.create(out.resolve("metrics.jsonl"))) {
 *   log.log(step, Map.of(MetricNames.TRAIN_LOSS, loss, MetricNames.LR, lr));
 * }
 * }</pre>
 */
public final class MetricsLogger implements AutoCloseable {
  private final JsonlFile file;
  private final List<MetricsRecord> history;
  private final DoubleSupplier clock;

  private MetricsLogger(JsonlFile file, List<MetricsRecord> history, DoubleSupplier clock) {
    this.file = file;
    this.history = history;
    this.clock = clock;
  }

  /** Seconds since the Unix epoch, to the millisecond. */
  public static double wallClock() {
    return System.currentTimeMillis() / 1000.0;
  }

  /** A fresh log at {@code path}, replacing any file there. */
  public static MetricsLogger create(Path path) {
    return new MetricsLogger(JsonlFile.create(path), new ArrayList<>(), MetricsLogger::wallClock);
  }

  /**
   * The log of a run resumed from the checkpoint of {@code step}: lines up to that step are kept
   * (and loaded as the history), later ones and a torn last line are dropped, new lines append.
   */
  public static MetricsLogger resume(Path path, int step) {
    return resume(path, step, MetricsLogger::wallClock);
  }

  /** {@link #resume(Path, int)} with a clock (seconds since the epoch), for tests. */
  static MetricsLogger resume(Path path, int step, DoubleSupplier clock) {
    List<ObjectNode> kept = new ArrayList<>();
    JsonlFile f = JsonlFile.resume(path, step, kept);
    List<MetricsRecord> history = new ArrayList<>();
    for (ObjectNode n : kept) history.add(fromJson(n));
    return new MetricsLogger(f, history, clock);
  }

  /** {@link #create(Path)} with a clock, for tests. */
  static MetricsLogger create(Path path, DoubleSupplier clock) {
    return new MetricsLogger(JsonlFile.create(path), new ArrayList<>(), clock);
  }

  /** Writes and returns the record of {@code step}; values keep the map's iteration order. */
  public MetricsRecord log(int step, Map<String, Double> values) {
    if (!history.isEmpty() && step <= history.getLast().step())
      throw new IllegalArgumentException("metrics step " + step + " is not after the last logged step " + history.getLast().step());
    MetricsRecord r = new MetricsRecord(step, clock.getAsDouble(), values);
    file.append(toJson(r));
    history.add(r);
    return r;
  }

  /** Every record of this run so far, resumed ones included, oldest first. */
  public List<MetricsRecord> history() {
    return Collections.unmodifiableList(history);
  }

  /** The last {@code n} records (for a checkpoint's metric tail). */
  public List<MetricsRecord> tail(int n) {
    return List.copyOf(history.subList(Math.max(0, history.size() - n), history.size()));
  }

  public Path path() {
    return file.path();
  }

  /** Reads a metrics log (a torn last line is ignored). */
  public static List<MetricsRecord> read(Path path) {
    List<MetricsRecord> out = new ArrayList<>();
    for (ObjectNode n : JsonlFile.read(path)) out.add(fromJson(n));
    return out;
  }

  static ObjectNode toJson(MetricsRecord r) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("step", r.step());
    o.put("time", r.time());
    r.values().forEach(o::put);
    return o;
  }

  static MetricsRecord fromJson(ObjectNode o) {
    Map<String, Double> values = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("step") || e.getKey().equals("time")) continue;
      if (e.getValue().isNumber()) values.put(e.getKey(), e.getValue().asDouble());
    }
    return new MetricsRecord(o.get("step").asInt(), o.path("time").asDouble(Double.NaN), values);
  }

  @Override
  public void close() {
    file.close();
  }
}

package dev.rmr1.training.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The sample log, {@code samples.jsonl}: one line per generation,
 * {@code {"step": 10, "prompt": "...", "completion": "...", "reward": 1.0, "advantage": 0.378, ...}},
 * flushed as written and truncated to the resumed step on resume, like {@link MetricsLogger}.
 */
public final class SamplesLogger implements AutoCloseable {
  static final Set<String> RESERVED = Set.of("step", "prompt", "completion", "reward", "advantage");

  private final JsonlFile file;

  private SamplesLogger(JsonlFile file) {
    this.file = file;
  }

  public static SamplesLogger create(Path path) {
    return new SamplesLogger(JsonlFile.create(path));
  }

  /** Keeps the rows of steps up to {@code step} and appends after them. */
  public static SamplesLogger resume(Path path, int step) {
    return new SamplesLogger(JsonlFile.resume(path, step, new ArrayList<>()));
  }

  public void log(int step, List<SampleRow> rows) {
    for (SampleRow r : rows) file.append(toJson(step, r));
  }

  static ObjectNode toJson(int step, SampleRow r) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("step", step);
    o.put("prompt", r.prompt());
    o.put("completion", r.completion());
    if (r.reward() != null) o.put("reward", r.reward());
    if (r.advantage() != null) o.put("advantage", r.advantage());
    r.extra().forEach((k, v) -> o.set(k, Json.MAPPER.valueToTree(v)));
    return o;
  }

  public Path path() {
    return file.path();
  }

  @Override
  public void close() {
    file.close();
  }
}

package dev.rmr1.training.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the metrics log: the optimizer step it describes, when it was written, and the named
 * values in the order they were logged.
 *
 * @param step completed optimizer steps (the first step logs 1)
 * @param time seconds since the Unix epoch
 * @param values metric name to value; non-finite values are kept (a NaN loss is information)
 */
public record MetricsRecord(int step, double time, Map<String, Double> values) {
  public MetricsRecord {
    LinkedHashMap<String, Double> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : values.entrySet()) {
      String k = e.getKey();
      if (k == null || k.isEmpty()) throw new IllegalArgumentException("step " + step + ": a metric needs a name");
      if (k.equals("step") || k.equals("time")) throw new IllegalArgumentException("step " + step + ": '" + k + "' is reserved, not a metric name");
      if (e.getValue() == null) throw new IllegalArgumentException("step " + step + ": metric '" + k + "' is null");
      copy.put(k, e.getValue());
    }
    values = Collections.unmodifiableMap(copy);
  }

  /** The value of {@code name}, or NaN when this line does not have it. */
  public double get(String name) {
    Double v = values.get(name);
    return v == null ? Double.NaN : v;
  }
}

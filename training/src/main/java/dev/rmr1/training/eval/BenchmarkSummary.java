package dev.rmr1.training.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A benchmark's figures: {@code json} holds everything the RM-R1 result files hold (same key names), and
 * {@code headline} the few numbers for a console table, in display order.
 */
public record BenchmarkSummary(ObjectNode json, Map<String, Double> headline) {
  public BenchmarkSummary {
    headline = Collections.unmodifiableMap(new LinkedHashMap<>(headline));
  }
}

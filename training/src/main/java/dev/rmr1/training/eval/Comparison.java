package dev.rmr1.training.eval;

import dev.rmr1.training.data.PreferencePair;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One pair to judge: a unique id (the key of the per-sample log and of the position swap), the pair, and the
 * benchmark metadata its scorer needs (subset, domain, style cell, split, group, ...), copied into each
 * {@link SampleResult} so that a summary can be recomputed from the per-sample log alone.
 */
public record Comparison(String id, PreferencePair pair, Map<String, String> meta) {
  public Comparison {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(pair, "pair");
    meta = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meta));
  }
}

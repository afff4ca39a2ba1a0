package dev.rmr1.training.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.training.metrics.Json;
import dev.rmr1.training.metrics.MetricsRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code trainer_state.json}: the {@link TrainerState} plus the manager's inventory of the
 * checkpoint's files (relative path to byte size), by which a checkpoint is recognised as complete.
 *
 * <pre>
 * {"format": "rmr1-trainer-state", "version": 1, "step": 100, "epoch": 0, "data_position": 12800,
 *  "schedule_position": 100, "rng_states": {"data": [..3 longs..]}, "extra": {}, "config_hash": "..",
 *  "config": {"optim.lr": "5e-6", ..}, "metrics_tail": [{"step": 100, "time": .., "train/loss": ..}],
 *  "files": {"model.safetensors": 123456, "optimizer.safetensors": 246912}}
 * </pre>
 */
final class StateFile {
  static final String NAME = "trainer_state.json";
  static final String FORMAT = "rmr1-trainer-state";
  static final int VERSION = 1;

  /** A parsed state file. */
  record Contents(TrainerState state, Map<String, Long> files) {}

  private StateFile() {}

  static byte[] encode(TrainerState s, Map<String, Long> files) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("format", FORMAT);
    o.put("version", VERSION);
    o.put("step", s.step());
    o.put("epoch", s.epoch());
    o.put("data_position", s.dataPosition());
    o.put("schedule_position", s.schedulePosition());
    ObjectNode rng = o.putObject("rng_states");
    s.rngStates().forEach((k, v) -> {
      ArrayNode a = rng.putArray(k);
      for (long x : v) a.add(x);
    });
    ObjectNode extra = o.putObject("extra");
    s.extra().forEach(extra::put);
    o.put("config_hash", s.configHash());
    ObjectNode cfg = o.putObject("config");
    s.config().forEach(cfg::put);
    ArrayNode tail = o.putArray("metrics_tail");
    for (MetricsRecord r : s.metricsTail()) {
      ObjectNode m = tail.addObject();
      m.put("step", r.step());
      m.put("time", r.time());
      r.values().forEach(m::put);
    }
    ObjectNode f = o.putObject("files");
    files.forEach(f::put);
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode trainer state", e);
    }
  }

  /** Parses a state file; {@code where} names it in errors. */
  static Contents decode(byte[] bytes, String where) {
    JsonNode o;
    try {
      o = Json.MAPPER.readTree(bytes);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage());
    }
    if (o == null || !o.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object");
    if (!FORMAT.equals(o.path("format").asText())) throw new IllegalArgumentException(where + ": \"format\" is not \"" + FORMAT + "\"");
    if (o.path("version").asInt(-1) != VERSION)
      throw new IllegalArgumentException(where + ": version " + o.path("version") + " is not supported (expected " + VERSION + ")");
    Map<String, long[]> rng = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = field(o, "rng_states", where).fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode a = e.getValue();
      if (!a.isArray()) throw new IllegalArgumentException(where + ": rng_states." + e.getKey() + " is not an array");
      long[] v = new long[a.size()];
      for (int i = 0; i < v.length; i++) {
        if (!a.get(i).isIntegralNumber() || !a.get(i).canConvertToLong())
          throw new IllegalArgumentException(where + ": rng_states." + e.getKey() + "[" + i + "] is not a 64-bit integer");
        v[i] = a.get(i).longValue();
      }
      rng.put(e.getKey(), v);
    }
    List<MetricsRecord> tail = new ArrayList<>();
    for (JsonNode m : field(o, "metrics_tail", where)) {
      Map<String, Double> values = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getKey().equals("step") && !e.getKey().equals("time")) values.put(e.getKey(), e.getValue().asDouble());
      }
      tail.add(new MetricsRecord(m.path("step").asInt(), m.path("time").asDouble(), values));
    }
    Map<String, Long> files = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = field(o, "files", where).fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      files.put(e.getKey(), e.getValue().asLong(-1));
    }
    TrainerState s = new TrainerState(integer(o, "step", where), integer(o, "epoch", where), longValue(o, "data_position", where),
        longValue(o, "schedule_position", where), rng, strings(field(o, "extra", where)), tail, field(o, "config_hash", where).asText(),
        strings(field(o, "config", where)));
    return new Contents(s, files);
  }

  private static JsonNode field(JsonNode o, String name, String where) {
    JsonNode n = o.get(name);
    if (n == null) throw new IllegalArgumentException(where + ": missing \"" + name + "\"");
    return n;
  }

  private static int integer(JsonNode o, String name, String where) {
    JsonNode n = field(o, name, where);
    if (!n.canConvertToInt() || !n.isIntegralNumber()) throw new IllegalArgumentException(where + ": \"" + name + "\" is not an integer");
    return n.intValue();
  }

  private static long longValue(JsonNode o, String name, String where) {
    JsonNode n = field(o, name, where);
    if (!n.canConvertToLong() || !n.isIntegralNumber()) throw new IllegalArgumentException(where + ": \"" + name + "\" is not an integer");
    return n.longValue();
  }

  private static Map<String, String> strings(JsonNode o) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), e.getValue().asText());
    }
    return m;
  }
}

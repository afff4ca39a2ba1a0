package dev.rmr1.training.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The element-wise mean of two summaries of the same shape (numbers averaged, equal non-numbers kept, anything
 * present in only one side or differing dropped), for the averaged figures of a both-orders run.
 */
final class JsonAverage {
  private JsonAverage() {}

  static ObjectNode mean(ObjectNode a, ObjectNode b) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> e : a.properties()) {
      JsonNode m = mean(e.getValue(), b.get(e.getKey()));
      if (m != null) out.set(e.getKey(), m);
    }
    return out;
  }

  private static JsonNode mean(JsonNode a, JsonNode b) {
    if (b == null) return null;
    if (a.isNumber() && b.isNumber()) return JsonNodeFactory.instance.numberNode((a.doubleValue() + b.doubleValue()) / 2);
    if (a.isObject() && b.isObject()) return mean((ObjectNode) a, (ObjectNode) b);
    if (a.isArray() && b.isArray() && a.size() == b.size()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; i < a.size(); i++) {
        JsonNode m = mean(a.get(i), b.get(i));
        if (m == null) return null;
        out.add(m);
      }
      return out;
    }
    return a.equals(b) ? a.deepCopy() : null;
  }
}

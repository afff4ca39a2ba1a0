package dev.rmr1.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON node together with its JSON path and source file name, so that every loading error can say
 * where it is ("tokenizer.json: $.model.merges[12]: expected ...").
 */
record JsonNodeAt(JsonNode json, String path, String source) {

  /** The required child {@code field}; error if it is missing or null. */
  JsonNodeAt get(String field) {
    JsonNodeAt child = opt(field);
    if (child == null) throw error("missing field '" + field + "'");
    return child;
  }

  /** The child {@code field}, or null when it is missing or JSON null. */
  JsonNodeAt opt(String field) {
    if (!json.isObject()) throw error("expected an object");
    JsonNode c = json.get(field);
    return c == null || c.isNull() ? null : new JsonNodeAt(c, path + "." + field, source);
  }

  List<JsonNodeAt> elements() {
    if (!json.isArray()) throw error("expected an array");
    List<JsonNodeAt> out = new ArrayList<>(json.size());
    for (int i = 0; i < json.size(); i++) out.add(new JsonNodeAt(json.get(i), path + "[" + i + "]", source));
    return out;
  }

  String text() {
    if (!json.isTextual()) throw error("expected a string, got " + json.getNodeType());
    return json.textValue();
  }

  int intValue() {
    if (!json.canConvertToInt() || !json.isIntegralNumber()) throw error("expected an integer, got " + json);
    return json.intValue();
  }

  boolean bool() {
    if (!json.isBoolean()) throw error("expected a boolean, got " + json.getNodeType());
    return json.booleanValue();
  }

  String text(String field) {
    return get(field).text();
  }

  String textOr(String field, String fallback) {
    JsonNodeAt c = opt(field);
    return c == null ? fallback : c.text();
  }

  boolean boolOr(String field, boolean fallback) {
    JsonNodeAt c = opt(field);
    return c == null ? fallback : c.bool();
  }

  int intOr(String field, int fallback) {
    JsonNodeAt c = opt(field);
    return c == null ? fallback : c.intValue();
  }

  /** The {@code type} field of a component object. */
  String type() {
    return text("type");
  }

  TokenizerFormatException error(String message) {
    return new TokenizerFormatException(source + ": " + path + ": " + message);
  }

  TokenizerFormatException unsupported(String kind) {
    String type = json.isObject() && json.has("type") ? "'" + json.get("type").asText() + "'" : json.toString();
    return new TokenizerFormatException(source + ": unsupported " + kind + " type " + type + " at " + path);
  }
}

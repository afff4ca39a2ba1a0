package dev.rmr1.training.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Field access for record parsers: each getter either returns the value or throws {@link BadRecordException} with
 * the field path and what was expected, so that readers can report {@code file:line: field: problem}.
 */
public final class JsonFields {
  private JsonFields() {}

  /** The roles a chat dataset may contain. */
  public static final Set<String> CHAT_ROLES = Set.of(ChatMessage.SYSTEM, ChatMessage.USER, ChatMessage.ASSISTANT);

  public static JsonNode requireObject(JsonNode node, String path) {
    if (node == null || !node.isObject()) throw new BadRecordException(path + ": expected an object, got " + kind(node));
    return node;
  }

  public static JsonNode require(JsonNode obj, String field, String path) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) throw new BadRecordException(join(path, field) + ": missing");
    return v;
  }

  public static String text(JsonNode obj, String field, String path) {
    JsonNode v = require(obj, field, path);
    if (!v.isTextual()) throw new BadRecordException(join(path, field) + ": expected a string, got " + kind(v));
    return v.textValue();
  }

  /** A string or an integer field, as text (ids are strings in some exports and numbers in others). */
  public static String id(JsonNode obj, String field, String path) {
    JsonNode v = require(obj, field, path);
    if (v.isTextual()) return v.textValue();
    if (v.isIntegralNumber()) return v.asText();
    throw new BadRecordException(join(path, field) + ": expected a string or integer id, got " + kind(v));
  }

  public static JsonNode array(JsonNode obj, String field, String path) {
    JsonNode v = require(obj, field, path);
    if (!v.isArray()) throw new BadRecordException(join(path, field) + ": expected an array, got " + kind(v));
    return v;
  }

  /** A list of strings of exactly {@code size} elements (or any size if {@code size < 0}). */
  public static List<String> texts(JsonNode obj, String field, int size, String path) {
    JsonNode a = array(obj, field, path);
    if (size >= 0 && a.size() != size) {
      throw new BadRecordException(join(path, field) + ": expected " + size + " elements, got " + a.size());
    }
    List<String> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      JsonNode v = a.get(i);
      if (!v.isTextual()) {
        throw new BadRecordException(join(path, field) + "[" + i + "]: expected a string, got " + kind(v));
      }
      out.add(v.textValue());
    }
    return out;
  }

  /**
   * A non-empty array of {@code {"role", "content"}} objects (other keys, e.g. RMB's {@code language}, are ignored)
   * with roles in {@code allowedRoles}.
   */
  public static List<ChatMessage> messages(JsonNode obj, String field, Set<String> allowedRoles, String path) {
    JsonNode a = array(obj, field, path);
    String p = join(path, field);
    if (a.isEmpty()) throw new BadRecordException(p + ": empty");
    List<ChatMessage> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      String mp = p + "[" + i + "]";
      JsonNode m = requireObject(a.get(i), mp);
      String role = text(m, "role", mp);
      if (!allowedRoles.contains(role)) {
        throw new BadRecordException(mp + ".role: \"" + role + "\" is not one of " + allowedRoles);
      }
      out.add(new ChatMessage(role, text(m, "content", mp)));
    }
    return out;
  }

  /** {@code [{"role": ..., "content": ...}, ...]}. */
  public static ArrayNode toJson(List<ChatMessage> messages) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    for (ChatMessage m : messages) {
      ObjectNode o = a.addObject();
      o.put("role", m.role());
      o.put("content", m.content());
    }
    return a;
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static String kind(JsonNode v) {
    return v == null ? "nothing" : v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}

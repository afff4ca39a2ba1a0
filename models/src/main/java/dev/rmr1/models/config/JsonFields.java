package dev.rmr1.models.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Typed access to the fields of one JSON object read from a Hugging Face configuration file. A JSON
 * {@code null} counts as absent, as in transformers, where {@code "bos_token_id": null} means "not
 * set". Every type or range error names the file and the field.
 */
final class JsonFields {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ObjectNode node;
  private final String source;

  JsonFields(ObjectNode node, String source) {
    this.node = node;
    this.source = source;
  }

  /** Reads {@code file}, which must hold one JSON object. */
  static JsonFields read(Path file) {
    JsonNode root;
    try (InputStream in = Files.newInputStream(file)) {
      root = MAPPER.readTree(in);
    } catch (JacksonException e) {
      throw new ConfigException(file.toString(), "(file)", "not valid JSON: " + e.getOriginalMessage());
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("missing file " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return of(root, file.toString());
  }

  /** Wraps an already parsed document; {@code source} names it in errors. */
  static JsonFields of(JsonNode root, String source) {
    if (!(root instanceof ObjectNode o)) {
      throw new ConfigException(source, "(file)", "expected a JSON object, got " + kind(root));
    }
    return new JsonFields(o, source);
  }

  String source() {
    return source;
  }

  ConfigException error(String field, String problem) {
    return new ConfigException(source, field, problem);
  }

  /** Present and not JSON null. */
  boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  JsonNode raw(String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v;
  }

  int requiredPositiveInt(String field) {
    if (!has(field)) throw error(field, "missing (a positive integer is required)");
    return positiveInt(field);
  }

  OptionalInt optionalPositiveInt(String field) {
    return has(field) ? OptionalInt.of(positiveInt(field)) : OptionalInt.empty();
  }

  private int positiveInt(String field) {
    int v = anyInt(field, raw(field));
    if (v <= 0) throw error(field, "expected a positive integer, got " + v);
    return v;
  }

  OptionalInt optionalInt(String field) {
    return has(field) ? OptionalInt.of(anyInt(field, raw(field))) : OptionalInt.empty();
  }

  private int anyInt(String field, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw error(field, "expected an integer, got " + describe(v));
    }
    return v.intValue();
  }

  double requiredDouble(String field) {
    if (!has(field)) throw error(field, "missing (a number is required)");
    return number(field, raw(field));
  }

  OptionalDouble optionalDouble(String field) {
    return has(field) ? OptionalDouble.of(number(field, raw(field))) : OptionalDouble.empty();
  }

  double doubleOr(String field, double fallback) {
    return has(field) ? number(field, raw(field)) : fallback;
  }

  private double number(String field, JsonNode v) {
    if (!v.isNumber()) throw error(field, "expected a number, got " + describe(v));
    return v.doubleValue();
  }

  boolean booleanOr(String field, boolean fallback) {
    if (!has(field)) return fallback;
    JsonNode v = raw(field);
    if (!v.isBoolean()) throw error(field, "expected true or false, got " + describe(v));
    return v.booleanValue();
  }

  Optional<String> optionalString(String field) {
    if (!has(field)) return Optional.empty();
    JsonNode v = raw(field);
    if (!v.isTextual()) throw error(field, "expected a string, got " + describe(v));
    return Optional.of(v.textValue());
  }

  /** A list of strings ({@code architectures}); empty when absent. */
  List<String> stringList(String field) {
    if (!has(field)) return List.of();
    JsonNode v = raw(field);
    if (!v.isArray()) throw error(field, "expected a list of strings, got " + describe(v));
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isTextual()) throw error(field, "expected a list of strings, got an element " + describe(e));
      out.add(e.textValue());
    }
    return List.copyOf(out);
  }

  /**
   * An id that Hugging Face writes either as one integer or as a list of integers (e.g. {@code
   * eos_token_id}: {@code 151645} or {@code [151645, 151643]}); empty when absent.
   */
  List<Integer> intOrIntList(String field) {
    if (!has(field)) return List.of();
    JsonNode v = raw(field);
    if (v.isArray()) {
      List<Integer> out = new ArrayList<>();
      for (JsonNode e : v) out.add(anyInt(field, e));
      return List.copyOf(out);
    }
    if (v.isIntegralNumber()) return List.of(anyInt(field, v));
    throw error(field, "expected an integer or a list of integers, got " + describe(v));
  }

  /** A nested object, or {@code null} when absent. */
  JsonFields object(String field) {
    if (!has(field)) return null;
    JsonNode v = raw(field);
    if (!(v instanceof ObjectNode o)) throw error(field, "expected an object, got " + describe(v));
    return new JsonFields(o, source + " (in '" + field + "')");
  }

  List<String> fieldNames() {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String describe(JsonNode v) {
    return kind(v) + " " + v;
  }

  private static String kind(JsonNode v) {
    if (v == null || v.isNull()) return "null";
    if (v.isTextual()) return "a string";
    if (v.isIntegralNumber()) return "an integer";
    if (v.isNumber()) return "a number";
    if (v.isBoolean()) return "a boolean";
    if (v.isArray()) return "a list";
    return "an object";
  }
}

package dev.rmr1.training.config;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Conversion between the raw values of files and flags (text, a list of texts, or null) and the
 * typed values of configuration records, and the canonical text of a value (for the printed table,
 * the hash and the saved configuration). Text is converted by the key's type, so a YAML scalar such
 * as {@code 1e-5} (a string under YAML 1.1's rules) is the number it looks like.
 */
final class ValueCodec {
  private ValueCodec() {}

  /** Converts {@code raw} to the type of {@code key}; the exception message says what was expected. */
  static Object parse(ConfigSchema.Key key, Object raw) {
    Class<?> t = key.type();
    if (raw == null) {
      if (key.nullable()) return null;
      throw new IllegalArgumentException("cannot be null: expected " + describe(t));
    }
    if (t == List.class) {
      if (raw instanceof List<?> list) {
        List<String> out = new ArrayList<>();
        for (Object o : list) {
          if (!(o instanceof String s)) throw new IllegalArgumentException("expected a list of names, got an element " + o);
          out.add(s);
        }
        return List.copyOf(out);
      }
      String s = ((String) raw).strip();
      if (s.isEmpty()) return List.of();
      List<String> out = new ArrayList<>();
      for (String part : s.split(",", -1)) {
        String p = part.strip();
        if (p.isEmpty()) throw new IllegalArgumentException("expected a comma-separated list of names, got '" + raw + "' (an empty entry)");
        out.add(p);
      }
      return List.copyOf(out);
    }
    if (raw instanceof List<?>) throw new IllegalArgumentException("expected " + describe(t) + ", got a list " + raw);
    String s = ((String) raw).strip();
    if (key.nullable() && (s.equals("null") || s.equals("none"))) return null;
    if (t == String.class) return raw;
    if (t == Path.class) {
      if (s.isEmpty()) throw new IllegalArgumentException("expected a path, got an empty string");
      return Path.of(s);
    }
    if (t == boolean.class) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on" -> true;
        case "false", "no", "off" -> false;
        default -> throw new IllegalArgumentException("expected true or false, got '" + s + "'");
      };
    }
    if (t == double.class) {
      double d;
      try {
        d = Double.parseDouble(s.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected a number, got '" + s + "'");
      }
      if (!Double.isFinite(d)) throw new IllegalArgumentException("expected a finite number, got '" + s + "'");
      return d;
    }
    if (t == int.class || t == long.class) {
      BigDecimal b;
      try {
        b = new BigDecimal(s.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected an integer, got '" + s + "'");
      }
      try {
        long v = b.longValueExact();
        if (t == long.class) return v;
        return Math.toIntExact(v);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("expected " + describe(t) + ", got '" + s + "'");
      }
    }
    if (t.isEnum()) {
      String want = s.toLowerCase(Locale.ROOT).replace('-', '_');
      for (Object c : t.getEnumConstants()) if (((Enum<?>) c).name().toLowerCase(Locale.ROOT).equals(want)) return c;
      throw new IllegalArgumentException("expected one of " + enumNames(t) + ", got '" + s + "'");
    }
    throw new IllegalStateException("unsupported type " + t);
  }

  static String describe(Class<?> t) {
    if (t == int.class) return "an integer (32-bit)";
    if (t == long.class) return "an integer";
    if (t == double.class) return "a number";
    if (t == boolean.class) return "true or false";
    if (t == String.class) return "a string";
    if (t == Path.class) return "a path";
    if (t == List.class) return "a list of names";
    if (t.isEnum()) return "one of " + enumNames(t);
    return t.getSimpleName();
  }

  static String enumNames(Class<?> t) {
    return Arrays.stream(t.getEnumConstants()).map(ValueCodec::enumText).collect(Collectors.joining(", "));
  }

  private static String enumText(Object e) {
    return ((Enum<?>) e).name().toLowerCase(Locale.ROOT);
  }

  /**
   * Canonical text: numbers in the shortest form that reads back exactly ({@code 5e-6},
   * {@code 0.95}, {@code 1.0}), enums in lower case, lists as {@code [a, b]}, null as {@code null}.
   */
  static String text(Object v) {
    if (v == null) return "null";
    if (v instanceof Double d) return formatDouble(d);
    if (v instanceof Enum<?> e) return enumText(e);
    if (v instanceof List<?> l) return l.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    return v.toString();
  }

  static String formatDouble(double d) {
    String s = Double.toString(d); // shortest text that reads back to d (JDK 19+)
    int e = s.indexOf('E');
    if (e < 0) return s;
    String mantissa = s.substring(0, e);
    if (mantissa.endsWith(".0")) mantissa = mantissa.substring(0, mantissa.length() - 2);
    return mantissa + "e" + s.substring(e + 1);
  }

  /** The value as a plain Java object for a YAML or JSON writer. */
  static Object plain(Object v) {
    if (v instanceof Enum<?> e) return enumText(e);
    if (v instanceof Path p) return p.toString();
    return v;
  }
}

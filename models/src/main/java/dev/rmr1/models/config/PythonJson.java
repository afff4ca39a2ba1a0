package dev.rmr1.models.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The text Python's {@code json.dumps(value, indent=2, sort_keys=True)} gives, byte for byte:
 * transformers writes {@code config.json} and {@code generation_config.json} with it (plus a final
 * newline), PEFT writes {@code adapter_config.json} with it (no final newline). So: keys sorted by
 * code point, one item per line indented by two spaces a level, {@code ","} after every item but
 * the last, {@code "key": value}, empty containers as {@code {}} / {@code []}, non-ASCII and control
 * characters escaped as {@code \\uXXXX} (ensure_ascii), and floats as Python's {@code repr}
 * ({@code 0.0}, {@code 1e-06}, {@code 10000000.0}, {@code 1e+16}, {@code NaN}).
 *
 * <p>Values: {@code Map} with String keys, {@code Collection}, String, Boolean, integral numbers,
 * Double/Float (a Float is written as the double it widens to), null.
 */
public final class PythonJson {
  private PythonJson() {}

  /** {@code json.dumps(value, indent=2, sort_keys=True)}. */
  public static String dumps(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0);
    return sb.toString();
  }

  /**
   * Writes {@code text} (UTF-8) to {@code file}: next to it first, then moved into place, so a
   * crash never leaves half a file; parent directories are created.
   */
  public static void writeAtomically(Path file, String text) {
    Path parent = file.toAbsolutePath().getParent();
    // unique per writer, and created with the usual (umask) permissions, unlike createTempFile's 0600
    Path tmp = parent.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "." + Thread.currentThread().threadId() + ".tmp");
    try {
      Files.createDirectories(parent);
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void write(StringBuilder sb, Object v, int depth) {
    switch (v) {
      case null -> sb.append("null");
      case String s -> string(sb, s);
      case Boolean b -> sb.append(b ? "true" : "false");
      case Double d -> sb.append(repr(d));
      case Float f -> sb.append(repr(f.doubleValue()));
      case Integer i -> sb.append(i);
      case Long l -> sb.append(l);
      case Short s -> sb.append(s);
      case Byte b -> sb.append(b);
      case BigInteger b -> sb.append(b);
      case Map<?, ?> m -> object(sb, m, depth);
      case Collection<?> c -> array(sb, c, depth);
      default -> throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON: " + v);
    }
  }

  private static void object(StringBuilder sb, Map<?, ?> m, int depth) {
    if (m.isEmpty()) {
      sb.append("{}");
      return;
    }
    List<String> keys = new ArrayList<>();
    for (Object k : m.keySet()) {
      if (!(k instanceof String s)) throw new IllegalArgumentException("JSON object keys must be strings, got " + k);
      keys.add(s);
    }
    keys.sort(PythonJson::compareCodePoints);
    sb.append("{");
    for (int i = 0; i < keys.size(); i++) {
      sb.append(i == 0 ? "\n" : ",\n");
      indent(sb, depth + 1);
      string(sb, keys.get(i));
      sb.append(": ");
      write(sb, m.get(keys.get(i)), depth + 1);
    }
    sb.append('\n');
    indent(sb, depth);
    sb.append('}');
  }

  private static void array(StringBuilder sb, Collection<?> c, int depth) {
    if (c.isEmpty()) {
      sb.append("[]");
      return;
    }
    sb.append('[');
    Iterator<?> it = c.iterator();
    for (int i = 0; it.hasNext(); i++) {
      sb.append(i == 0 ? "\n" : ",\n");
      indent(sb, depth + 1);
      write(sb, it.next(), depth + 1);
    }
    sb.append('\n');
    indent(sb, depth);
    sb.append(']');
  }

  private static void indent(StringBuilder sb, int depth) {
    sb.append("  ".repeat(depth));
  }

  /** Python sorts str keys by code point; String.compareTo compares UTF-16 units, which differs past U+FFFF. */
  private static int compareCodePoints(String a, String b) {
    return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }

  /** json's ensure_ascii encoder: {@code \" \\ \n \r \t \b \f}, everything else outside ' '..'~' as \\uXXXX (UTF-16 units). */
  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c >= ' ' && c <= '~') sb.append(c);
          else sb.append(String.format("\\u%04x", (int) c));
        }
      }
    }
    sb.append('"');
  }

  /**
   * Python's {@code float.__repr__}: the shortest digits that read back to the same double, the
   * nearest such if several (Double.toString's digits, which are the same but never fewer than
   * two), in fixed notation with at least one decimal when the decimal exponent is in (-4, 16],
   * otherwise {@code d[.ddd]e±XX}.
   */
  static String repr(double x) {
    if (Double.isNaN(x)) return "NaN";
    if (Double.isInfinite(x)) return x > 0 ? "Infinity" : "-Infinity";
    String sign = Double.doubleToRawLongBits(x) < 0 ? "-" : "";
    if (x == 0) return sign + "0.0";
    BigDecimal d = new BigDecimal(Double.toString(Math.abs(x))).stripTrailingZeros();
    if (d.precision() == 2) {
      // Double.toString never gives fewer than two digits: where one digit reads back too
      // (4.9E-324 for 5e-324), Python prints that one, the nearest one-digit decimal
      BigDecimal one = new BigDecimal(Math.abs(x)).round(new MathContext(1, RoundingMode.HALF_EVEN));
      if (Double.parseDouble(one.toString()) == Math.abs(x)) d = one.stripTrailingZeros();
    }
    String digits = d.unscaledValue().toString();
    int decpt = digits.length() - d.scale(); // x = 0.digits * 10^decpt
    if (decpt > -4 && decpt <= 16) {
      if (decpt <= 0) return sign + "0." + "0".repeat(-decpt) + digits;
      if (decpt >= digits.length()) return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
      return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
    }
    int exp = decpt - 1;
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }
}

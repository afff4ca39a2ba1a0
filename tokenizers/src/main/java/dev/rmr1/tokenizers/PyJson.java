package dev.rmr1.tokenizers;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)}, which
 * transformers installs as the chat templates' {@code tojson} filter: ", " and ": " separators (","
 * with an indent), non-ASCII kept, floats as Python's repr.
 */
final class PyJson {
  private PyJson() {}

  static String dumps(Object value, Integer indent, String itemSeparator, String keySeparator, boolean sortKeys) {
    StringBuilder sb = new StringBuilder();
    String item = itemSeparator != null ? itemSeparator : indent == null ? ", " : ",";
    String key = keySeparator != null ? keySeparator : ": ";
    write(sb, value, indent, item, key, sortKeys, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, Integer indent, String item, String key, boolean sort, int level) {
    if (v == null) sb.append("null");
    else if (v instanceof Boolean b) sb.append(b ? "true" : "false");
    else if (v instanceof Double || v instanceof Float) sb.append(floatRepr(((Number) v).doubleValue()));
    else if (v instanceof BigDecimal d) sb.append(floatRepr(d.doubleValue()));
    else if (v instanceof Number n) sb.append(n);
    else if (v instanceof Map<?, ?> m) {
      List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
      if (sort) entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
      if (entries.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      for (int i = 0; i < entries.size(); i++) {
        if (i > 0) sb.append(item);
        newline(sb, indent, level + 1);
        string(sb, String.valueOf(entries.get(i).getKey()));
        sb.append(key);
        write(sb, entries.get(i).getValue(), indent, item, key, sort, level + 1);
      }
      newline(sb, indent, level);
      sb.append('}');
    } else if (v instanceof Iterable<?> || v instanceof Object[]) {
      Iterator<?> it = v instanceof Iterable<?> l ? l.iterator() : List.of((Object[]) v).iterator();
      if (!it.hasNext()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      boolean first = true;
      while (it.hasNext()) {
        if (!first) sb.append(item);
        first = false;
        newline(sb, indent, level + 1);
        write(sb, it.next(), indent, item, key, sort, level + 1);
      }
      newline(sb, indent, level);
      sb.append(']');
    } else {
      string(sb, v.toString());
    }
  }

  private static void newline(StringBuilder sb, Integer indent, int level) {
    if (indent == null) return;
    sb.append('\n');
    sb.append(" ".repeat(indent * level));
  }

  static void string(StringBuilder sb, String s) {
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
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }

  /** Python's float repr: shortest round-trip digits, exponent form below 1e-4 or from 1e16. */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) return "NaN";
    if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
    if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
    BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = bd.unscaledValue().toString();
    int exp = digits.length() - 1 - bd.scale(); // decimal exponent of the first digit
    String sign = d < 0 ? "-" : "";
    if (exp >= -4 && exp < 16) {
      String plain = bd.toPlainString();
      return sign + (plain.contains(".") ? plain : plain + ".0");
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }
}

package dev.rmr1.tokenizers;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text of Python's {@code json.dumps(value, indent=..., separators=(item, key), sort_keys=...,
 * ensure_ascii=...)}, byte for byte (CPython's json module; its defaults allow_nan=True,
 * check_circular=True, skipkeys=False). Two users: chat templates' {@code tojson} filter, which
 * transformers defines as json.dumps with ensure_ascii=False (transformers/utils/chat_template_utils.py),
 * and the files transformers and PEFT write with {@code json.dumps(x, indent=2, sort_keys=True)}
 * ({@link #HF_FILE_STYLE}).
 *
 * <p>What Python writes: {@code null}, {@code true}/{@code false}, integers in decimal, floats as
 * {@code float.__repr__} ({@code 0.0}, {@code 1e-06}, {@code 1e+16}, {@code NaN}, {@code -Infinity}),
 * strings with {@code \" \\ \n \r \t \b \f} and other control characters as {@code \\u00XX} (with
 * ensure_ascii everything outside {@code ' '..'~'} as {@code \\uXXXX} UTF-16 units), empty containers
 * as {@code {}} / {@code []}, and with an indent one item per line. Object keys may be str, int,
 * float, bool or None (written as strings); sort_keys orders the original keys, so ints sort as
 * numbers and str by code point, and mixing kinds is an error as in Python.
 *
 * <p>Java values: null, Boolean, CharSequence and Character (str), Integer/Long/Short/Byte/BigInteger
 * (int), Double/Float/BigDecimal (float: a Float as the double it widens to; a BigDecimal, which is
 * how Jinjava and Jackson may hold a decimal literal, as the nearest double), Map (dict), Collection
 * and Object[] (list, tuple). Anything else is refused as Python refuses it ("is not JSON serializable").
 *
 * @param indent null for one line; else the text repeated once per level before each item
 *     (Python's {@code indent=n} is {@code n} spaces)
 * @param itemSeparator between items, before the newline if indented
 * @param keySeparator between a key and its value
 */
public record PythonJson(String indent, String itemSeparator, String keySeparator, boolean sortKeys, boolean ensureAscii) {
  /**
   * {@code json.dumps(x, indent=2, sort_keys=True)}: transformers' {@code config.json} and
   * {@code generation_config.json} (plus a final newline) and PEFT's {@code adapter_config.json} (none).
   */
  public static final PythonJson HF_FILE_STYLE = of("  ", true, true);

  public PythonJson {
    if (itemSeparator == null || keySeparator == null) throw new IllegalArgumentException("JSON separators must not be null");
  }

  /** Python's default separators for {@code indent}: {@code (", ", ": ")} on one line, {@code (",", ": ")} indented. */
  public static PythonJson of(String indent, boolean sortKeys, boolean ensureAscii) {
    return new PythonJson(indent, indent == null ? ", " : ",", ": ", sortKeys, ensureAscii);
  }

  /** The JSON text of {@code value}. */
  public String dumps(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0, Collections.newSetFromMap(new IdentityHashMap<>()));
    return sb.toString();
  }

  /** @param open the containers being written, to refuse a cycle as Python does instead of overflowing the stack */
  private void write(StringBuilder sb, Object v, int depth, Set<Object> open) {
    switch (v) {
      case null -> sb.append("null");
      case Boolean b -> sb.append(b ? "true" : "false");
      case CharSequence s -> string(sb, s.toString());
      case Character c -> string(sb, c.toString());
      case Double d -> sb.append(floatRepr(d));
      case Float f -> sb.append(floatRepr(f.doubleValue()));
      case BigDecimal d -> sb.append(floatRepr(d.doubleValue()));
      case Integer _, Long _, Short _, Byte _, BigInteger _ -> sb.append(v);
      case Map<?, ?> m -> container(sb, m, sortedEntries(m), true, depth, open);
      case List<?> l -> container(sb, l, l, false, depth, open);
      case Collection<?> c -> container(sb, c, new ArrayList<>(c), false, depth, open);
      case Object[] a -> container(sb, a, Arrays.asList(a), false, depth, open);
      default -> throw new IllegalArgumentException("Object of type " + v.getClass().getName() + " is not JSON serializable: " + v);
    }
  }

  /** A dict ({@code items} its entries) or a list; {@code c} itself marks it as open. */
  private void container(StringBuilder sb, Object c, List<?> items, boolean map, int depth, Set<Object> open) {
    if (items.isEmpty()) {
      sb.append(map ? "{}" : "[]");
      return;
    }
    if (!open.add(c)) throw new IllegalArgumentException("Circular reference detected");
    sb.append(map ? '{' : '[');
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) sb.append(itemSeparator);
      newline(sb, depth + 1);
      if (map) {
        Map.Entry<?, ?> e = (Map.Entry<?, ?>) items.get(i);
        string(sb, key(e.getKey()));
        sb.append(keySeparator);
        write(sb, e.getValue(), depth + 1, open);
      } else {
        write(sb, items.get(i), depth + 1, open);
      }
    }
    newline(sb, depth);
    sb.append(map ? '}' : ']');
    open.remove(c);
  }

  private List<Map.Entry<?, ?>> sortedEntries(Map<?, ?> m) {
    List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
    if (sortKeys) entries.sort((a, b) -> compareKeys(a.getKey(), b.getKey()));
    return entries;
  }

  private void newline(StringBuilder sb, int depth) {
    if (indent == null) return;
    sb.append('\n');
    sb.append(indent.repeat(depth));
  }

  /** A dict key as the string json writes: str as is, True/False/None as true/false/null, numbers as their repr. */
  private static String key(Object k) {
    return switch (k) {
      case null -> "null";
      case CharSequence s -> s.toString();
      case Character c -> c.toString();
      case Boolean b -> b ? "true" : "false";
      case Double d -> floatRepr(d);
      case Float f -> floatRepr(f.doubleValue());
      case BigDecimal d -> floatRepr(d.doubleValue());
      case Integer _, Long _, Short _, Byte _, BigInteger _ -> k.toString();
      default -> throw new IllegalArgumentException("keys must be str, int, float, bool or None, not " + k.getClass().getName() + " (" + k + ")");
    };
  }

  /**
   * Python's {@code <} on two dict keys, as {@code sorted(d.items())} applies it: str by code point
   * (String.compareTo compares UTF-16 units, which differs past U+FFFF), numbers (bool being 0/1) by
   * value; anything else is Python's TypeError.
   */
  private static int compareKeys(Object a, Object b) {
    if ((a instanceof CharSequence || a instanceof Character) && (b instanceof CharSequence || b instanceof Character))
      return Arrays.compare(a.toString().codePoints().toArray(), b.toString().codePoints().toArray());
    if (isNumber(a) && isNumber(b)) {
      double x = number(a).doubleValue(), y = number(b).doubleValue();
      // exact for the finite ones: a long and a double compare as Python compares an int and a float
      return Double.isFinite(x) && Double.isFinite(y) ? exact(number(a)).compareTo(exact(number(b))) : Double.compare(x, y);
    }
    throw new IllegalArgumentException("sort_keys cannot order the keys " + a + " and " + b + ": '<' not supported between "
        + (a == null ? "None" : a.getClass().getSimpleName()) + " and " + (b == null ? "None" : b.getClass().getSimpleName()));
  }

  private static boolean isNumber(Object o) {
    return o instanceof Boolean || o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte
        || o instanceof BigInteger || o instanceof Double || o instanceof Float || o instanceof BigDecimal;
  }

  private static Number number(Object o) {
    return o instanceof Boolean b ? (b ? 1 : 0) : (Number) o;
  }

  private static BigDecimal exact(Number n) {
    return switch (n) {
      case BigDecimal d -> new BigDecimal(d.doubleValue()); // written as that double, so sorted as it too
      case BigInteger i -> new BigDecimal(i);
      case Double _, Float _ -> new BigDecimal(n.doubleValue());
      default -> BigDecimal.valueOf(n.longValue());
    };
  }

  /**
   * json's string encoders: {@code \" \\ \n \r \t \b \f}, other characters below U+0020 as
   * {@code \\u00XX}, and with ensure_ascii also everything above {@code '~'} as {@code \\uXXXX} (UTF-16 units).
   */
  private void string(StringBuilder sb, String s) {
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
          if (c < ' ' || (ensureAscii && c > '~')) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }

  /**
   * Python's {@code float.__repr__}: the shortest digits that read back to the same double, the
   * nearest such if several (Double.toString's digits, which are the same but never fewer than
   * two), in fixed notation with at least one decimal when the decimal exponent is in (-4, 16],
   * otherwise {@code d[.ddd]e±XX}; json writes NaN and the infinities as {@code NaN}, {@code Infinity}.
   */
  static String floatRepr(double x) {
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

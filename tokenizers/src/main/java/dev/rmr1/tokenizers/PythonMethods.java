package dev.rmr1.tokenizers;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python {@code str} and {@code dict} methods for Jinjava, which would otherwise call Java's methods
 * ({@code 'a.b'.split('.')} would be a regex split, {@code startswith} would not exist). Chat templates
 * rely on these (Qwen3: startswith, endswith, split, strip, lstrip, rstrip).
 */
final class PythonMethods extends ELResolver {

  @Override
  public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (base == null || method == null) return null;
    Object[] args = params == null ? new Object[0] : params;
    Object result;
    if (base instanceof String s) result = stringMethod(s, method.toString(), args);
    else if (base instanceof Map<?, ?> m) result = dictMethod(m, method.toString(), args);
    else return null;
    if (result == NOT_HANDLED) return null;
    context.setPropertyResolved(true);
    return result;
  }

  private static final Object NOT_HANDLED = new Object();

  private static Object stringMethod(String s, String name, Object[] a) {
    return switch (name) {
      case "startswith" -> affix(s, a, true);
      case "endswith" -> affix(s, a, false);
      case "strip" -> strip(s, chars(a), true, true);
      case "lstrip" -> strip(s, chars(a), true, false);
      case "rstrip" -> strip(s, chars(a), false, true);
      case "split" -> split(s, a.length > 0 ? (String) a[0] : null, a.length > 1 ? toInt(a[1]) : -1);
      case "rsplit" -> rsplit(s, a.length > 0 ? (String) a[0] : null, a.length > 1 ? toInt(a[1]) : -1);
      case "splitlines" -> splitlines(s);
      case "upper" -> s.toUpperCase(Locale.ROOT);
      case "lower" -> s.toLowerCase(Locale.ROOT);
      case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
      case "title" -> title(s);
      case "replace" -> replace(s, (String) a[0], (String) a[1], a.length > 2 ? toInt(a[2]) : -1);
      case "find" -> s.indexOf((String) a[0]);
      case "rfind" -> s.lastIndexOf((String) a[0]);
      case "count" -> count(s, (String) a[0]);
      case "join" -> join(s, a[0]);
      case "isdigit" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
      case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
      case "isspace" -> !s.isEmpty() && s.codePoints().allMatch(PythonMethods::isSpace);
      case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
      case "islower" -> s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
      default -> NOT_HANDLED;
    };
  }

  private static Object dictMethod(Map<?, ?> m, String name, Object[] a) {
    return switch (name) {
      case "get" -> m.containsKey(a[0]) ? m.get(a[0]) : (a.length > 1 ? a[1] : null);
      case "keys" -> new ArrayList<>(m.keySet());
      case "values" -> new ArrayList<>(m.values());
      case "items" -> {
        List<List<Object>> out = new ArrayList<>();
        for (Map.Entry<?, ?> e : m.entrySet()) out.add(java.util.Arrays.asList(e.getKey(), e.getValue()));
        yield out;
      }
      default -> NOT_HANDLED;
    };
  }

  private static List<String> splitlines(String s) {
    List<String> lines = new ArrayList<>(List.of(s.split("\r\n|[\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029]", -1)));
    if (lines.getLast().isEmpty()) lines.removeLast(); // a final line break ends the last line, it starts none
    return lines;
  }

  /** Python str.isspace(): White_Space plus the four information separators U+001C..U+001F. */
  static boolean isSpace(int c) {
    return UnicodeClasses.isWhiteSpace(c) || (c >= 0x1C && c <= 0x1F);
  }

  private static String chars(Object[] a) {
    return a.length == 0 || a[0] == null ? null : a[0].toString();
  }

  private static boolean affix(String s, Object[] a, boolean prefix) {
    Object arg = a[0];
    if (arg instanceof Iterable<?> options) { // str.startswith(("a", "b"))
      for (Object o : options) if (prefix ? s.startsWith(o.toString()) : s.endsWith(o.toString())) return true;
      return false;
    }
    return prefix ? s.startsWith(arg.toString()) : s.endsWith(arg.toString());
  }

  static String strip(String s, String chars, boolean left, boolean right) {
    int a = 0, b = s.length();
    while (left && a < b && strippable(s.codePointAt(a), chars)) a += Character.charCount(s.codePointAt(a));
    while (right && b > a && strippable(s.codePointBefore(b), chars)) b -= Character.charCount(s.codePointBefore(b));
    return s.substring(a, b);
  }

  private static boolean strippable(int c, String chars) {
    return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
  }

  static List<String> split(String s, String sep, int maxSplit) {
    List<String> out = new ArrayList<>();
    if (sep == null) { // runs of whitespace, no empty strings
      int i = 0, n = s.length();
      while (true) {
        while (i < n && isSpace(s.codePointAt(i))) i += Character.charCount(s.codePointAt(i));
        if (i >= n) break;
        if (maxSplit >= 0 && out.size() == maxSplit) {
          out.add(s.substring(i)); // Python keeps the remainder's trailing whitespace
          break;
        }
        int j = i;
        while (j < n && !isSpace(s.codePointAt(j))) j += Character.charCount(s.codePointAt(j));
        out.add(s.substring(i, j));
        i = j;
      }
      return out;
    }
    if (sep.isEmpty()) throw new ChatTemplateException("ValueError: empty separator");
    int i = 0;
    while (maxSplit < 0 || out.size() < maxSplit) {
      int j = s.indexOf(sep, i);
      if (j < 0) break;
      out.add(s.substring(i, j));
      i = j + sep.length();
    }
    out.add(s.substring(i));
    return out;
  }

  private static List<String> rsplit(String s, String sep, int maxSplit) {
    if (maxSplit < 0 || sep == null) return split(s, sep, maxSplit);
    List<String> out = new ArrayList<>();
    int end = s.length();
    while (out.size() < maxSplit) {
      int j = s.lastIndexOf(sep, end - sep.length());
      if (j < 0) break;
      out.add(0, s.substring(j + sep.length(), end));
      end = j;
    }
    out.add(0, s.substring(0, end));
    return out;
  }

  private static String replace(String s, String old, String neu, int count) {
    if (count < 0) return s.replace(old, neu);
    StringBuilder sb = new StringBuilder();
    int i = 0, done = 0;
    while (done < count) {
      int j = s.indexOf(old, i);
      if (j < 0) break;
      sb.append(s, i, j).append(neu);
      i = j + old.length();
      done++;
    }
    return sb.append(s.substring(i)).toString();
  }

  private static int count(String s, String sub) {
    if (sub.isEmpty()) return s.codePointCount(0, s.length()) + 1;
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
    return n;
  }

  private static String join(String sep, Object items) {
    List<String> parts = new ArrayList<>();
    if (items instanceof Iterable<?> it) for (Object o : it) parts.add(String.valueOf(o));
    else throw new ChatTemplateException("TypeError: can only join an iterable");
    return String.join(sep, parts);
  }

  private static String title(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean prevCased = false;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      sb.appendCodePoint(prevCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
      prevCased = Character.isLetter(c);
      i += Character.charCount(c);
    }
    return sb.toString();
  }

  private static int toInt(Object o) {
    return ((Number) o).intValue();
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}
}

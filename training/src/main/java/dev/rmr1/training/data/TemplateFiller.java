package dev.rmr1.training.data;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One-pass substitution of Python {@code str.format} replacement fields written {@code {name}} (spec 2.1).
 *
 * <p>The template is scanned once and each value is copied verbatim into the output; substituted text is never
 * rescanned, so a response that itself contains {@code {answer_b}} stays as it is. This is what
 * {@code template.format(question=..., answer_a=..., answer_b=...)} does in RM-R1's {@code mix_data.py} and
 * {@code generative.py}, and what chained {@code replace()} calls would get wrong. {@code {{} and {@code }}} are the
 * literal braces, as in Python; a lone brace is an error, as in Python.
 */
public final class TemplateFiller {
  private TemplateFiller() {}

  /**
   * Fills every field of {@code template} from {@code values}.
   *
   * @throws IllegalArgumentException if the template has a field without a value, a value names no field of the
   *     template (a template/value mismatch, e.g. a multi-turn template given a question), or a lone brace
   */
  public static String fill(String template, Map<String, String> values) {
    StringBuilder out = new StringBuilder(template.length() + values.values().stream().mapToInt(String::length).sum());
    Set<String> used = new LinkedHashSet<>();
    scan(template, out, values, used);
    if (!used.equals(values.keySet())) {
      Set<String> unused = new TreeSet<>(values.keySet());
      unused.removeAll(used);
      throw new IllegalArgumentException(
          "values " + unused + " name no field of the template (its fields: " + placeholders(template) + ")");
    }
    return out.toString();
  }

  /** The field names of {@code template}, in order of first appearance. */
  public static Set<String> placeholders(String template) {
    Set<String> names = new LinkedHashSet<>();
    scan(template, null, null, names);
    return names;
  }

  // With out == null only collects the names; otherwise copies literals and values into out.
  private static void scan(String t, StringBuilder out, Map<String, String> values, Set<String> names) {
    int i = 0;
    int n = t.length();
    while (i < n) {
      char c = t.charAt(i);
      if (c == '{' && i + 1 < n && t.charAt(i + 1) == '{') {
        if (out != null) out.append('{');
        i += 2;
      } else if (c == '}' && i + 1 < n && t.charAt(i + 1) == '}') {
        if (out != null) out.append('}');
        i += 2;
      } else if (c == '{') {
        int close = t.indexOf('}', i + 1);
        if (close < 0) throw new IllegalArgumentException("unclosed '{' at index " + i + " of the template");
        String name = t.substring(i + 1, close);
        if (!isIdentifier(name)) {
          throw new IllegalArgumentException("field \"{" + name + "}\" at index " + i + " is not a plain name");
        }
        names.add(name);
        if (out != null) {
          String v = values.get(name);
          if (v == null) {
            throw new IllegalArgumentException(
                "template field {" + name + "} has no value (given: " + new TreeSet<>(values.keySet()) + ")");
          }
          out.append(v);
        }
        i = close + 1;
      } else if (c == '}') {
        throw new IllegalArgumentException("single '}' at index " + i + " of the template");
      } else {
        if (out != null) out.append(c);
        i++;
      }
    }
  }

  private static boolean isIdentifier(String s) {
    if (s.isEmpty() || !(Character.isLetter(s.charAt(0)) || s.charAt(0) == '_')) return false;
    for (int k = 1; k < s.length(); k++) {
      char c = s.charAt(k);
      if (!(Character.isLetterOrDigit(c) || c == '_')) return false;
    }
    return true;
  }
}

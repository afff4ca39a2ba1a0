package dev.rmr1.tokenizers;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prepares a jinja2 template for Jinjava, doing in the source what Jinjava does differently from jinja2:
 *
 * <ul>
 *   <li>Whitespace control as jinja2's lexer does it, on the template text only: {@code {%-} / {@code -%}}
 *       strip whitespace of the neighbouring text, {@code lstrip_blocks} removes spaces and tabs before a
 *       block tag that starts a line, {@code trim_blocks} removes the newline after a block tag, {@code +}
 *       disables both (Jinjava would also strip whitespace that expressions output, e.g. the newline at the
 *       end of a message). Comments are removed. The result has no whitespace markers left.
 *   <li>Slices with a step, {@code x[a:b:c]}, become {@code (x|py_slice(a, b, c))}.
 *   <li>{@code \\xHH \\uHHHH \\UHHHHHHHH} escapes in string literals become their characters.
 *   <li>{@code not x is test} becomes {@code not (x is test)}, jinja2's precedence.
 *   <li>Keyword argument values are parenthesized, {@code f(k=a|length - 1)} to {@code f(k=(a|length - 1))},
 *       since Jinjava binds the keyword tighter than the operators.
 * </ul>
 */
final class JinjaSource {
  private JinjaSource() {}

  private enum Kind { DATA, EXPR, BLOCK, COMMENT }

  private static final class Part {
    final Kind kind;
    String text; // data text, or the tag's inner text without delimiters and markers
    char left, right; // '-', '+' or 0

    Part(Kind kind, String text) {
      this.kind = kind;
      this.text = text;
    }
  }

  /** The template with jinja2's whitespace control applied (trim_blocks, lstrip_blocks) and rewrites done. */
  static String prepare(String template) {
    List<Part> parts = lex(template);
    applyWhitespace(parts);
    StringBuilder out = new StringBuilder(template.length());
    for (Part p : parts) {
      switch (p.kind) {
        case DATA -> out.append(p.text);
        case EXPR -> out.append("{{").append(rewrite(p.text)).append("}}");
        case BLOCK -> out.append("{%").append(rewrite(p.text)).append("%}");
        case COMMENT -> {}
      }
    }
    return out.toString();
  }

  private static List<Part> lex(String s) {
    List<Part> parts = new ArrayList<>();
    int i = 0, n = s.length();
    StringBuilder data = new StringBuilder();
    while (i < n) {
      int open = nextOpen(s, i);
      if (open < 0) {
        data.append(s, i, n);
        break;
      }
      data.append(s, i, open);
      char k = s.charAt(open + 1);
      Kind kind = k == '{' ? Kind.EXPR : k == '%' ? Kind.BLOCK : Kind.COMMENT;
      String close = kind == Kind.EXPR ? "}}" : kind == Kind.BLOCK ? "%}" : "#}";
      int end = kind == Kind.COMMENT ? s.indexOf(close, open + 2) : findClose(s, open + 2, close);
      if (end < 0) throw new ChatTemplateException("unclosed '" + s.substring(open, open + 2) + "' at offset " + open);
      String inner = s.substring(open + 2, end);
      Part p = new Part(kind, inner);
      if (!inner.isEmpty() && (inner.charAt(0) == '-' || inner.charAt(0) == '+')) {
        p.left = inner.charAt(0);
        inner = inner.substring(1);
      }
      if (!inner.isEmpty() && (inner.charAt(inner.length() - 1) == '-' || inner.charAt(inner.length() - 1) == '+')) {
        p.right = inner.charAt(inner.length() - 1);
        inner = inner.substring(0, inner.length() - 1);
      }
      p.text = inner;
      parts.add(new Part(Kind.DATA, data.toString()));
      data.setLength(0);
      parts.add(p);
      i = end + 2;
      if (kind == Kind.BLOCK && inner.strip().equals("raw")) { // {% raw %}: verbatim up to {% endraw %}
        Matcher m = Pattern.compile("\\{%[-+]?\\s*endraw\\s*[-+]?%}").matcher(s);
        if (!m.find(i)) throw new ChatTemplateException("unclosed {% raw %}");
        parts.add(new Part(Kind.DATA, s.substring(i, m.start())));
        parts.getLast().left = 'R'; // marks verbatim text: no whitespace handling inside
        String endTag = m.group();
        Part e = new Part(Kind.BLOCK, "endraw");
        e.left = endTag.charAt(2) == '-' || endTag.charAt(2) == '+' ? endTag.charAt(2) : 0;
        char r = endTag.charAt(endTag.length() - 3);
        e.right = r == '-' || r == '+' ? r : 0;
        parts.add(e);
        i = m.end();
      }
    }
    parts.add(new Part(Kind.DATA, data.toString()));
    return parts;
  }

  private static int nextOpen(String s, int from) {
    for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
      char c = s.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') return i;
    }
    return -1;
  }

  /** The closing delimiter of a tag, skipping string literals. */
  private static int findClose(String s, int from, String close) {
    char quote = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') i++;
        else if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (s.startsWith(close, i)) {
        return i;
      }
    }
    return -1;
  }

  private static void applyWhitespace(List<Part> parts) {
    // parts alternate DATA, tag, DATA, tag, ..., DATA (raw text counts as a tag-free DATA between two tags)
    for (int k = 0; k < parts.size(); k++) {
      Part d = parts.get(k);
      if (d.kind != Kind.DATA || d.left == 'R') continue;
      Part prev = k > 0 ? parts.get(k - 1) : null, next = k + 1 < parts.size() ? parts.get(k + 1) : null;
      String t = d.text;
      int start = 0, end = t.length();
      if (prev != null) {
        if (prev.right == '-') {
          while (start < end && PythonMethods.isSpace(t.charAt(start))) start++;
        } else if (prev.right != '+' && prev.kind != Kind.EXPR) { // trim_blocks
          if (t.startsWith("\r\n")) start = 2;
          else if (t.startsWith("\n") || t.startsWith("\r")) start = 1;
        }
      }
      if (next != null) {
        if (next.left == '-') {
          while (end > start && PythonMethods.isSpace(t.charAt(end - 1))) end--;
        } else if (next.left != '+' && next.kind != Kind.EXPR) { // lstrip_blocks
          int lineStart = t.lastIndexOf('\n') + 1;
          boolean atLineStart = lineStart > 0 || k == 0;
          boolean blank = true;
          for (int i = lineStart; i < t.length() && blank; i++) blank = t.charAt(i) == ' ' || t.charAt(i) == '\t';
          if (atLineStart && blank) end = Math.max(start, Math.min(end, lineStart));
        }
      }
      d.text = t.substring(start, Math.max(start, end));
    }
  }

  private static final Pattern STEP_SLICE = Pattern.compile("\\[\\s*(-?\\d+)?\\s*:\\s*(-?\\d+)?\\s*:\\s*(-?\\d+)\\s*]");

  static String rewrite(String tag) {
    String t = translateSlices(NOT_IS.matcher(unescapeCodePoints(tag)).replaceAll("not ($1 is $2$3)"));
    // Macro signatures hold parameter defaults, not keyword arguments.
    return MACRO.matcher(t).lookingAt() ? t : wrapKeywordArguments(t);
  }

  /**
   * Inside string literals, Python's {@code \\xHH}, {@code \\uHHHH} and {@code \\UHHHHHHHH} escapes (which
   * Jinjava's lexer rejects) become the characters themselves; a quote or backslash stays escaped.
   */
  static String unescapeCodePoints(String tag) {
    if (tag.indexOf('\\') < 0) return tag;
    StringBuilder out = new StringBuilder(tag.length());
    char quote = 0;
    for (int i = 0; i < tag.length(); i++) {
      char c = tag.charAt(i);
      if (quote == 0) {
        if (c == '\'' || c == '"') quote = c;
        out.append(c);
        continue;
      }
      if (c == quote) {
        quote = 0;
        out.append(c);
        continue;
      }
      if (c != '\\' || i + 1 >= tag.length()) {
        out.append(c);
        continue;
      }
      char e = tag.charAt(i + 1);
      int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
      int cp = -1;
      if (digits > 0 && i + 2 + digits <= tag.length()) {
        try {
          cp = Integer.parseInt(tag.substring(i + 2, i + 2 + digits), 16);
        } catch (NumberFormatException ignored) {
          cp = -1; // not an escape of this kind: leave the text as it is
        }
      }
      if (cp < 0 || cp > Character.MAX_CODE_POINT) {
        out.append(c).append(e);
        i++;
        continue;
      }
      if (cp == '\'' || cp == '"' || cp == '\\') out.append('\\');
      out.appendCodePoint(cp);
      i += 1 + digits;
    }
    return out.toString();
  }

  private static final Pattern MACRO = Pattern.compile("\\s*(macro|call)\\b");

  /** jinja2 reads {@code not x is defined} as {@code not (x is defined)}; Jinjava as {@code (not x) is defined}. */
  private static final Pattern NOT_IS =
      Pattern.compile("\\bnot\\s+([A-Za-z_][\\w.]*(?:\\[[^\\]]*])*)\\s+is\\s+(not\\s+)?([A-Za-z_]\\w*)");

  static String translateSlices(String tag) {
    while (true) {
      Matcher m = STEP_SLICE.matcher(tag);
      if (!m.find()) return tag;
      int start = operandStart(tag, m.start());
      if (start == m.start()) return tag; // no operand: a list literal, leave it to Jinjava
      String args = arg(m.group(1)) + ", " + arg(m.group(2)) + ", " + arg(m.group(3));
      tag = tag.substring(0, start) + "(" + tag.substring(start, m.start()) + "|py_slice(" + args + "))" + tag.substring(m.end());
    }
  }

  private static String arg(String s) {
    return s == null ? "none" : s;
  }

  private static int operandStart(String s, int end) {
    int i = end;
    if (i > 0 && (s.charAt(i - 1) == '\'' || s.charAt(i - 1) == '"')) { // a string literal
      int open = s.lastIndexOf(s.charAt(i - 1), i - 2);
      return open < 0 ? i : open;
    }
    while (i > 0) {
      char c = s.charAt(i - 1);
      if (c == ')' || c == ']') {
        char open = c == ')' ? '(' : '[';
        int depth = 0;
        int j = i - 1;
        for (; j >= 0; j--) {
          if (s.charAt(j) == c) depth++;
          else if (s.charAt(j) == open && --depth == 0) break;
        }
        if (j < 0) return i;
        i = j;
      } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
        i--;
      } else {
        break;
      }
    }
    return i;
  }

  /** Inside parentheses, {@code name=value} becomes {@code name=(value)} up to the next top-level ',' or ')'. */
  static String wrapKeywordArguments(String tag) {
    StringBuilder out = new StringBuilder(tag.length() + 8);
    int depth = 0;
    char quote = 0;
    int[] wrapDepth = new int[tag.length() + 1]; // bracket depth of each value still awaiting its ')'
    int wraps = 0;
    for (int i = 0; i < tag.length(); i++) {
      char c = tag.charAt(i);
      if (quote != 0) {
        out.append(c);
        if (c == '\\' && i + 1 < tag.length()) out.append(tag.charAt(++i));
        else if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        out.append(c);
        continue;
      }
      if (c == '(' || c == '[' || c == '{') depth++;
      if ((c == ',' || c == ')' || c == ']' || c == '}') && wraps > 0 && wrapDepth[wraps - 1] == depth) {
        out.append(')');
        wraps--;
      }
      if (c == ')' || c == ']' || c == '}') depth--;
      out.append(c);
      if (c == '=' && depth > 0 && isKeywordEquals(tag, i)) {
        out.append('(');
        wrapDepth[wraps++] = depth;
      }
    }
    return out.toString();
  }

  /** '=' preceded by an identifier (after optional spaces) and not part of ==, !=, <=, >=. */
  private static boolean isKeywordEquals(String s, int i) {
    if (i + 1 < s.length() && s.charAt(i + 1) == '=') return false;
    int j = i - 1;
    if (j >= 0 && "=!<>".indexOf(s.charAt(j)) >= 0) return false;
    while (j >= 0 && s.charAt(j) == ' ') j--;
    int end = j;
    while (j >= 0 && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) j--;
    if (j == end) return false;
    while (j >= 0 && s.charAt(j) == ' ') j--;
    return j >= 0 && (s.charAt(j) == '(' || s.charAt(j) == ',');
  }
}

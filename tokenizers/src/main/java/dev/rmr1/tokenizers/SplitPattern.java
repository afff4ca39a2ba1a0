package dev.rmr1.tokenizers;

import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** What a Split pre-tokenizer looks for: an (Oniguruma) regex, a literal string, or a char class. */
interface SplitPattern {
  /** Calls {@code sink.match(ms, me)} for each non-overlapping match in {@code s[start, end)}, in order. */
  void forEachMatch(String s, int start, int end, MatchSink sink);

  @FunctionalInterface
  interface MatchSink {
    void match(int start, int end);
  }

  /**
   * A tokenizer.json regex. The GPT-2 / GPT-4 / Qwen patterns get a hand-written matcher
   * ({@link FastSplitPatterns}, tested equal to the regex); others compile with {@link #compileOniguruma}.
   */
  static SplitPattern regex(String onig, JsonNodeAt where) {
    SplitPattern fast = FastSplitPatterns.forRegex(onig);
    return fast != null ? fast : new Regex(compileOniguruma(onig, where));
  }

  /**
   * Compiles an Oniguruma (Ruby syntax) regex as HF does, with java.util.regex. Differences handled:
   * {@code \s \d \w \h} are Unicode classes in Oniguruma (White_Space, Nd, word chars, hex digit),
   * {@code .} excludes only {@code \n}, {@code ^ $} are line anchors. {@code (?i)} stays ASCII-only: Oniguruma
   * did not fold U+017F to 's' in tokenizers 0.23, and Java's UNICODE_CASE would.
   */
  static Pattern compileOniguruma(String onig, JsonNodeAt where) {
    StringBuilder out = new StringBuilder(onig.length() + 32);
    int depth = 0; // character class nesting
    for (int i = 0; i < onig.length(); i++) {
      char c = onig.charAt(i);
      if (c == '\\' && i + 1 < onig.length()) {
        char d = onig.charAt(++i);
        // Oniguruma's Unicode \w (checked over all code points against tokenizers 0.23): Alphabetic, marks,
        // Nd, Pc; on its own (not inside [...]) also the Latin-1 digits and fractions ²³¹¼½¾.
        String word = "\\p{IsAlphabetic}\\p{gc=Mn}\\p{gc=Me}\\p{gc=Mc}\\p{Nd}\\p{Pc}";
        String latin1 = "\\u00B2\\u00B3\\u00B9\\u00BC-\\u00BE";
        switch (d) {
          case 's' -> out.append("\\p{IsWhite_Space}");
          case 'S' -> out.append("\\P{IsWhite_Space}");
          case 'd' -> out.append("\\p{Nd}");
          case 'D' -> out.append("\\P{Nd}");
          case 'w' -> out.append(depth > 0 ? word : "[" + word + latin1 + "]");
          case 'W' -> out.append("[^").append(word).append(depth > 0 ? "" : latin1).append("]");
          case 'h' -> out.append("[0-9a-fA-F]");
          case 'H' -> out.append("[^0-9a-fA-F]");
          default -> out.append(c).append(d);
        }
        continue;
      }
      if (c == '[') depth++;
      else if (c == ']' && depth > 0) depth--;
      out.append(c);
    }
    try {
      return Pattern.compile(out.toString(), Pattern.UNIX_LINES | Pattern.MULTILINE);
    } catch (PatternSyntaxException e) {
      throw where.error("unsupported regex /" + onig + "/: " + e.getDescription());
    }
  }

  record Regex(Pattern pattern) implements SplitPattern {
    @Override
    public void forEachMatch(String s, int start, int end, MatchSink sink) {
      Matcher m = pattern.matcher(s);
      m.region(start, end);
      while (m.find()) sink.match(m.start(), m.end());
    }
  }

  record Literal(String text) implements SplitPattern {
    @Override
    public void forEachMatch(String s, int start, int end, MatchSink sink) {
      if (text.isEmpty()) return;
      int i = start;
      while (true) {
        int j = s.indexOf(text, i);
        if (j < 0 || j + text.length() > end) return;
        sink.match(j, j + text.length());
        i = j + text.length();
      }
    }
  }

  /** Each code point satisfying the predicate is its own match (HF's {@code Fn(char) -> bool} pattern). */
  record CharClass(IntPredicate test) implements SplitPattern {
    @Override
    public void forEachMatch(String s, int start, int end, MatchSink sink) {
      for (int i = start; i < end; ) {
        int c = s.codePointAt(i);
        int j = i + Character.charCount(c);
        if (test.test(c)) sink.match(i, j);
        i = j;
      }
    }
  }
}

package dev.rmr1.tokenizers;

/**
 * Hand-written matchers for the pre-tokenizer regexes of GPT-2 and of the GPT-4 family (cl100k, Llama 3,
 * Qwen2/2.5/3), equal to the regex (tests compare them on random text and on Hugging Face's output).
 * Each alternative of these regexes matches at any position, so every position starts a match and the
 * matches tile the text; the code below decides, at each position, which alternative wins and how far it
 * reaches, in the regex's order of alternatives.
 */
final class FastSplitPatterns {
  private FastSplitPatterns() {}

  /** Qwen2/2.5/3: single digits. */
  static final String QWEN =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  /** cl100k_base and Llama 3: digit runs of up to three. */
  static final String CL100K =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
  /** GPT-2 (the ByteLevel pre-tokenizer's own regex). */
  static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

  static SplitPattern forRegex(String regex) {
    return switch (regex) {
      case QWEN -> new Gpt4(1);
      case CL100K -> new Gpt4(3);
      case GPT2 -> new Gpt2();
      default -> null;
    };
  }

  /** GPT-4-style pattern with digit groups of at most {@code maxDigits}. */
  record Gpt4(int maxDigits) implements SplitPattern {
    @Override
    public void forEachMatch(String s, int start, int end, MatchSink sink) {
      int i = start;
      while (i < end) {
        int j = matchAt(s, i, end);
        sink.match(i, j);
        i = j;
      }
    }

    int matchAt(String s, int i, int end) {
      int c = s.codePointAt(i);
      int next = i + Character.charCount(c);
      // (?i:'s|'t|'re|'ve|'m|'ll|'d)
      if (c == '\'') {
        int k = contraction(s, next, end, true);
        if (k > 0) return k;
      }
      // [^\r\n\p{L}\p{N}]?\p{L}+
      if (UnicodeClasses.isLetter(c)) return letters(s, next, end);
      boolean num = UnicodeClasses.isNumber(c);
      if (c != '\r' && c != '\n' && !num && next < end && UnicodeClasses.isLetter(s.codePointAt(next))) {
        return letters(s, next, end);
      }
      // \p{N}{1,maxDigits}
      if (num) {
        int j = next;
        for (int d = 1; d < maxDigits && j < end; d++) {
          int x = s.codePointAt(j);
          if (!UnicodeClasses.isNumber(x)) break;
          j += Character.charCount(x);
        }
        return j;
      }
      boolean ws = UnicodeClasses.isWhiteSpace(c);
      // " ?[^\s\p{L}\p{N}]+[\r\n]*"
      int p = -1;
      if (!ws) p = i;
      else if (c == ' ' && next < end && isOther(s.codePointAt(next))) p = next;
      if (p >= 0) {
        int j = p;
        while (j < end) {
          int x = s.codePointAt(j);
          if (!isOther(x)) break;
          j += Character.charCount(x);
        }
        while (j < end && (s.charAt(j) == '\r' || s.charAt(j) == '\n')) j++;
        return j;
      }
      return whitespace(s, i, end, true);
    }
  }

  /** GPT-2's pattern. */
  record Gpt2() implements SplitPattern {
    @Override
    public void forEachMatch(String s, int start, int end, MatchSink sink) {
      int i = start;
      while (i < end) {
        int j = matchAt(s, i, end);
        sink.match(i, j);
        i = j;
      }
    }

    int matchAt(String s, int i, int end) {
      int c = s.codePointAt(i);
      int next = i + Character.charCount(c);
      if (c == '\'') {
        int k = contraction(s, next, end, false);
        if (k > 0) return k;
      }
      int p = i; // start of the class run, after an optional space
      int x = c;
      if (c == ' ' && next < end) {
        int d = s.codePointAt(next);
        if (!UnicodeClasses.isWhiteSpace(d)) {
          p = next;
          x = d;
        }
      }
      if (!UnicodeClasses.isWhiteSpace(x)) {
        int kind = kind(x);
        int j = p;
        while (j < end) {
          int y = s.codePointAt(j);
          if (UnicodeClasses.isWhiteSpace(y) || kind(y) != kind) break;
          j += Character.charCount(y);
        }
        return j;
      }
      return whitespace(s, i, end, false);
    }

    private static int kind(int c) {
      return UnicodeClasses.isLetter(c) ? 0 : UnicodeClasses.isNumber(c) ? 1 : 2;
    }
  }

  /** [^\s\p{L}\p{N}] */
  private static boolean isOther(int c) {
    return !UnicodeClasses.isWhiteSpace(c) && !UnicodeClasses.isLetter(c) && !UnicodeClasses.isNumber(c);
  }

  /** End of the letter run starting at {@code j}. */
  private static int letters(String s, int j, int end) {
    while (j < end) {
      int x = s.codePointAt(j);
      if (!UnicodeClasses.isLetter(x)) break;
      j += Character.charCount(x);
    }
    return j;
  }

  /** After an apostrophe at {@code j - 1}: the end of 's 't 're 've 'm 'll 'd, or -1. */
  private static int contraction(String s, int j, int end, boolean ignoreCase) {
    if (j >= end) return -1;
    char a = s.charAt(j);
    char b = j + 1 < end ? s.charAt(j + 1) : 0;
    if (ignoreCase) {
      a = asciiLower(a);
      b = asciiLower(b);
    }
    return switch (a) {
      case 's', 't', 'm', 'd' -> j + 1;
      case 'r', 'v' -> b == 'e' ? j + 2 : -1;
      case 'l' -> b == 'l' ? j + 2 : -1;
      default -> -1;
    };
  }

  private static char asciiLower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
  }

  /**
   * The whitespace alternatives at a whitespace char {@code i}: (GPT-4 only) {@code \s*[\r\n]+} reaches
   * just past the last \r or \n of the run; then {@code \s+(?!\S)} takes the run but its last char when a
   * non-space follows; then {@code \s+} takes the single char.
   */
  private static int whitespace(String s, int i, int end, boolean newlines) {
    int k = i;
    int lastNewline = -1;
    while (k < end) {
      int x = s.codePointAt(k);
      if (!UnicodeClasses.isWhiteSpace(x)) break;
      if (x == '\r' || x == '\n') lastNewline = k;
      k += Character.charCount(x);
    }
    if (newlines && lastNewline >= 0) return lastNewline + 1;
    if (k == end) return k;
    int last = k - Character.charCount(s.codePointBefore(k));
    return last > i ? last : k;
  }
}

package dev.rmr1.tokenizers;

/**
 * Character classes with the exact Unicode definitions that Hugging Face tokenizers (Rust and
 * Oniguruma) use. Checked against tokenizers 0.23 over all code points: Oniguruma's {@code \s},
 * {@code \p{L}} and {@code \p{N}} equal JDK 25's White_Space property and letter/number categories.
 */
final class UnicodeClasses {
  private UnicodeClasses() {}

  /** Unicode White_Space (Rust {@code char::is_whitespace}, Oniguruma {@code \s}); not Java's isWhitespace. */
  static boolean isWhiteSpace(int c) {
    if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D);
    if (c < 0x85) return false;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
        || c == 0x202F || c == 0x205F || c == 0x3000;
  }

  /** General category L* ({@code \p{L}}). */
  static boolean isLetter(int c) {
    if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    return Character.isLetter(c);
  }

  /** General category N* ({@code \p{N}}, Rust {@code char::is_numeric}). */
  static boolean isNumber(int c) {
    if (c < 0x80) return c >= '0' && c <= '9';
    int t = Character.getType(c);
    return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
  }

  /** Regex {@code \w} with Unicode semantics: Alphabetic, marks, decimal digits, connector punctuation, joiners. */
  static boolean isWordChar(int c) {
    if (c < 0x80) return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') || c == '_';
    int t = Character.getType(c);
    return Character.isAlphabetic(c) || t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK
        || t == Character.COMBINING_SPACING_MARK || t == Character.DECIMAL_DIGIT_NUMBER
        || t == Character.CONNECTOR_PUNCTUATION || c == 0x200C || c == 0x200D;
  }
}

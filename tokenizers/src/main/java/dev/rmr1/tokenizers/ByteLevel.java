package dev.rmr1.tokenizers;

/**
 * GPT-2's reversible byte-to-character table used by byte-level BPE (HF {@code bytes_char} in
 * tokenizers/src/pre_tokenizers/byte_level.rs): the printable bytes 33..126, 161..172 and 174..255 map to
 * the same code point, the 68 others to 256, 257, ... in byte order, so that every byte is a visible char.
 */
final class ByteLevel {
  private ByteLevel() {}

  /** byte (0..255) -> char. */
  static final char[] BYTE_TO_CHAR = new char[256];
  /** char (0..323) -> byte, or -1. */
  private static final int[] CHAR_TO_BYTE = new int[256 + 68];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
      char c = printable ? (char) b : (char) (256 + extra++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  /** The byte a byte-level char stands for, or -1 when {@code c} is not one of the 256 chars. */
  static int byteOf(int c) {
    return c >= 0 && c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /** The byte-level form of {@code s[start, end)}: its UTF-8 bytes, each as its char. */
  static String encode(CharSequence s, int start, int end) {
    byte[] buf = new byte[Utf8.maxBytes(end - start)];
    int n = Utf8.encode(s, start, end, buf);
    char[] out = new char[n];
    for (int i = 0; i < n; i++) out[i] = BYTE_TO_CHAR[buf[i] & 0xFF];
    return new String(out);
  }
}

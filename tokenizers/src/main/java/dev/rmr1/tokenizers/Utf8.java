package dev.rmr1.tokenizers;

/**
 * UTF-8 conversions with the exact lossy rules of Rust's {@code String::from_utf8_lossy} (what Hugging
 * Face tokenizers use in byte-level decoding): each maximal ill-formed subpart becomes one U+FFFD
 * (Unicode ch. 3, "U+FFFD substitution of maximal subparts"). Java's own decoder differs on encoded
 * surrogates (ED A0..BF ..), so it is not used here. Encoding maps a lone surrogate to U+FFFD.
 */
public final class Utf8 {
  private Utf8() {}

  static final char REPLACEMENT = '\uFFFD';

  /** Decodes {@code len} bytes lossily. */
  public static String decodeLossy(byte[] b, int len) {
    StringBuilder sb = new StringBuilder(len);
    int i = 0;
    while (i < len) {
      int b0 = b[i] & 0xFF;
      if (b0 < 0x80) {
        sb.append((char) b0);
        i++;
        continue;
      }
      int need;
      int lo = 0x80, hi = 0xBF; // valid range of the second byte
      if (b0 >= 0xC2 && b0 <= 0xDF) need = 1;
      else if (b0 == 0xE0) { need = 2; lo = 0xA0; }
      else if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) need = 2;
      else if (b0 == 0xED) { need = 2; hi = 0x9F; }
      else if (b0 == 0xF0) { need = 3; lo = 0x90; }
      else if (b0 >= 0xF1 && b0 <= 0xF3) need = 3;
      else if (b0 == 0xF4) { need = 3; hi = 0x8F; }
      else {
        sb.append(REPLACEMENT);
        i++;
        continue;
      }
      int cp = b0 & (0x3F >> need);
      int j = i + 1;
      boolean ok = true;
      for (int k = 0; k < need; k++, j++) {
        int c = j < len ? b[j] & 0xFF : -1;
        int l = k == 0 ? lo : 0x80, h = k == 0 ? hi : 0xBF;
        if (c < l || c > h) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (c & 0x3F);
      }
      if (ok) {
        sb.appendCodePoint(cp);
        i = j;
      } else {
        sb.append(REPLACEMENT);
        i = Math.max(j, i + 1);
      }
    }
    return sb.toString();
  }

  /**
   * Encodes {@code s[start, end)} into {@code buf}, which must hold {@link #maxBytes}{@code (end - start)}
   * bytes, lone surrogates as U+FFFD. Returns the byte count.
   */
  static int encode(CharSequence s, int start, int end, byte[] buf) {
    int n = 0;
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        buf[n++] = (byte) c;
      } else if (c < 0x800) {
        buf[n++] = (byte) (0xC0 | (c >> 6));
        buf[n++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        buf[n++] = (byte) (0xF0 | (cp >> 18));
        buf[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        buf[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        buf[n++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        char d = Character.isSurrogate(c) ? REPLACEMENT : c;
        buf[n++] = (byte) (0xE0 | (d >> 12));
        buf[n++] = (byte) (0x80 | ((d >> 6) & 0x3F));
        buf[n++] = (byte) (0x80 | (d & 0x3F));
      }
    }
    return n;
  }

  /** An upper bound of the UTF-8 length of {@code chars} UTF-16 units. */
  static int maxBytes(int chars) {
    return chars * 3;
  }

  /** Replaces lone surrogates by U+FFFD (Hugging Face only ever sees valid UTF-8 text). */
  static String sanitize(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return replaceLoneSurrogates(s);
      }
    }
    return s;
  }

  private static String replaceLoneSurrogates(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        sb.append(c).append(s.charAt(++i));
      } else {
        sb.append(Character.isSurrogate(c) ? REPLACEMENT : c);
      }
    }
    return sb.toString();
  }
}

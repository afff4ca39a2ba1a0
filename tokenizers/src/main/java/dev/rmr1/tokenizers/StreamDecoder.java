package dev.rmr1.tokenizers;

import java.util.Arrays;

/**
 * Incremental decoding for generation, as HF {@code DecodeStream} (tokenizers/src/tokenizer/mod.rs
 * {@code step_decode_stream}): keeps the ids since the last emitted text, decodes them with and without
 * the new id, and emits the difference only when it does not end in U+FFFD, i.e. never half a character
 * that spans several tokens. Not thread-safe.
 */
public final class StreamDecoder {
  private final Tokenizer tokenizer;
  private final boolean skipSpecialTokens;
  private int[] ids = new int[0];
  private String prefix = "";
  private int prefixIndex;

  StreamDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
    this.tokenizer = tokenizer;
    this.skipSpecialTokens = skipSpecialTokens;
  }

  /** Adds one id; returns the newly completed text, or null when there is none yet. */
  public String step(int id) {
    if (prefix.isEmpty() && ids.length > 0) {
      String p = tokenizer.decode(ids, skipSpecialTokens);
      if (!p.endsWith("\uFFFD")) {
        prefix = p;
        prefixIndex = ids.length;
      }
    }
    int[] next = Arrays.copyOf(ids, ids.length + 1);
    next[ids.length] = id;
    ids = next;
    String text = tokenizer.decode(ids, skipSpecialTokens);
    if (text.length() > prefix.length() && !text.endsWith("\uFFFD")) {
      if (!text.startsWith(prefix)) throw new IllegalStateException("stream decoding: the text no longer starts with the emitted prefix");
      String fresh = text.substring(prefix.length());
      int newPrefixIndex = ids.length - prefixIndex;
      ids = Arrays.copyOfRange(ids, prefixIndex, ids.length);
      prefix = tokenizer.decode(ids, skipSpecialTokens);
      prefixIndex = newPrefixIndex;
      return fresh;
    }
    return null;
  }

  /** The text still held back (e.g. an incomplete character at the end of generation), decoded lossily. */
  public String flush() {
    String text = tokenizer.decode(ids, skipSpecialTokens);
    String rest = text.startsWith(prefix) ? text.substring(prefix.length()) : "";
    ids = new int[0];
    prefix = "";
    prefixIndex = 0;
    return rest;
  }
}

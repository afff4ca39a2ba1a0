package dev.rmr1.models.generate;

import java.util.Arrays;
import java.util.List;

/**
 * Incremental detokenization of one sequence and its stop strings. Decoding a token alone is not
 * enough (byte-level BPE splits characters across tokens, and some decoders treat a sequence's
 * first token specially), and re-decoding everything each step costs O(n^2). As in Hugging Face
 * text-generation-inference and vLLM ({@code detokenize_incrementally}), two offsets bound a short
 * window: the text of ids[prefix..] minus the text of ids[prefix..read] is the new text, released
 * only when it does not end in U+FFFD (an incomplete character); then the window moves on.
 */
final class TextStream {
  private final TokenDecoder decoder;
  private final List<String> stops;
  private int[] ids = new int[16];
  private int size, prefixOffset, readOffset;
  private final StringBuilder emitted = new StringBuilder();
  private boolean stopped;

  TextStream(TokenDecoder decoder, List<String> stops) {
    this.decoder = decoder;
    this.stops = stops;
  }

  /** Appends a token; returns the text it completes (possibly empty). */
  String append(int token) {
    if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
    ids[size++] = token;
    String prefixText = decoder.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
    String newText = decoder.decode(Arrays.copyOfRange(ids, prefixOffset, size));
    if (newText.length() <= prefixText.length() || newText.endsWith("\uFFFD")) return "";
    String delta = newText.substring(prefixText.length());
    prefixOffset = readOffset;
    readOffset = size;
    emit(delta);
    return delta;
  }

  /** Text not released yet (an incomplete character at the end), released now. */
  String flush() {
    String prefixText = decoder.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
    String newText = decoder.decode(Arrays.copyOfRange(ids, prefixOffset, size));
    if (newText.length() <= prefixText.length()) return "";
    String delta = newText.substring(prefixText.length());
    prefixOffset = readOffset = size;
    emit(delta);
    return delta;
  }

  private void emit(String delta) {
    int before = emitted.length();
    emitted.append(delta);
    for (String s : stops) {
      // only a match that ends inside the new text is new
      int from = Math.max(0, before - s.length() + 1);
      if (emitted.indexOf(s, from) >= 0) stopped = true;
    }
  }

  boolean stopped() {
    return stopped;
  }
}

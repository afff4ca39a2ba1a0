package dev.rmr1.models.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Incremental detokenization against decoding everything at once. */
class TextStreamTest {
  /** A byte-level tokenizer: token id = one byte; decoding is UTF-8 with replacement, as byte-level BPE. */
  static final TokenDecoder BYTES = ids -> {
    byte[] b = new byte[ids.length];
    for (int i = 0; i < ids.length; i++) b[i] = (byte) ids[i];
    return new String(b, StandardCharsets.UTF_8);
  };

  @Property(tries = 200)
  void streamedPiecesConcatenateToTheFullTextAndNeverSplitACharacter(@ForAll @StringLength(max = 30) String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    TextStream s = new TextStream(BYTES, List.of());
    StringBuilder out = new StringBuilder();
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xff;
      String piece = s.append(ids[i]);
      if (!text.contains("\uFFFD")) assertFalse(piece.contains("\uFFFD"), "piece " + piece);
      out.append(piece);
    }
    out.append(s.flush());
    assertEquals(BYTES.decode(ids), out.toString());
  }

  @Property(tries = 100)
  void stopStringIsFoundExactlyWhenTheTextContainsIt(@ForAll @Size(min = 1, max = 20) List<@IntRange(min = 97, max = 99) Integer> ids,
      @ForAll @StringLength(min = 1, max = 3) @net.jqwik.api.constraints.CharRange(from = 'a', to = 'c') String stop) {
    TextStream s = new TextStream(BYTES, List.of(stop));
    StringBuilder text = new StringBuilder();
    for (int id : ids) {
      s.append(id);
      text.append((char) id);
      assertEquals(text.toString().contains(stop), s.stopped(), text + " / " + stop);
    }
    assertTrue(ids.isEmpty() || s.stopped() == text.toString().contains(stop));
  }
}

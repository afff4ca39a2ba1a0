package dev.rmr1.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamDecoderTest {

  /** A character whose UTF-8 bytes span several tokens comes out whole, once its last token arrives. */
  @Test
  void multiTokenCharacterIsHeldBackUntilComplete() {
    Tokenizer t = Refs.qwen();
    String text = "a\uDB80\uDC00b"; // U+F0000 (private use): 4 UTF-8 bytes that no merge joins into one token
    int[] ids = t.encode(text);
    StreamDecoder d = t.streamDecoder(false);
    List<String> pieces = new ArrayList<>();
    int nulls = 0;
    for (int id : ids) {
      String p = d.step(id);
      if (p == null) nulls++;
      else pieces.add(p);
    }
    assertTrue(ids.length > 3, "the emoji should need several tokens: " + java.util.Arrays.toString(ids));
    assertTrue(nulls > 0, "some steps complete no character");
    assertTrue(pieces.contains("\uDB80\uDC00"), pieces::toString);
    assertEquals(text, String.join("", pieces) + d.flush());
  }

  @Test
  void skipsSpecialTokensWhenAsked() {
    Tokenizer t = Refs.qwen();
    StreamDecoder d = t.streamDecoder(true);
    StringBuilder sb = new StringBuilder();
    for (int id : t.encode("<|im_start|>user\nhi<|im_end|>")) {
      String p = d.step(id);
      if (p != null) sb.append(p);
    }
    assertEquals("user\nhi", sb.toString());
  }

  @Test
  void incompleteTailIsFlushedLossily() {
    Tokenizer t = Refs.qwen();
    int[] ids = t.encode("\uDB80\uDC00");
    StreamDecoder d = t.streamDecoder(false);
    assertNull(d.step(ids[0]));
    assertEquals(t.decode(new int[] {ids[0]}, false), d.flush());
  }
}

package dev.rmr1.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Exact equality with Hugging Face on the real Qwen3 tokenizer. */
class Qwen3ParityTest {

  @Test
  void fixtureStringsEncodeAndDecodeAsHuggingFace() {
    Tokenizer t = Refs.qwen();
    JsonNode refs = Refs.json("qwen3/qwen3_tokenizer_refs.json");
    for (JsonNode r : refs) {
      String text = r.get("text").textValue();
      int[] ids = Refs.ints(r.get("ids"));
      assertArrayEquals(ids, t.encode(text), () -> "encode " + text);
      assertEquals(r.get("decoded").textValue(), t.decode(ids, false), () -> "decode " + text);
    }
  }

  /** 1,200 random mixes of scripts, whitespace, digits, emoji, combining marks and special tokens. */
  @Test
  void randomStringsEncodeAndDecodeAsHuggingFace() {
    Tokenizer t = Refs.qwen();
    int n = 0;
    for (JsonNode r : Refs.json("refs/qwen3_random_refs.json")) {
      String text = r.get("text").textValue();
      int[] ids = Refs.ints(r.get("ids"));
      assertArrayEquals(ids, t.encode(text), () -> "encode " + escape(text));
      assertEquals(r.get("decoded").textValue(), t.decode(ids, false), () -> "decode " + escape(text));
      assertEquals(r.get("decoded_skip").textValue(), t.decode(ids, true), () -> "decode skipping specials " + escape(text));
      n++;
    }
    assertEquals(1207, n);
  }

  @Test
  void chatTemplateIdsMatch() {
    Tokenizer t = Refs.qwen();
    for (JsonNode r : Refs.json("qwen3/qwen3_chat_template_refs.json")) {
      assertArrayEquals(Refs.ints(r.get("ids")), t.encode(r.get("rendered").textValue()));
    }
  }

  @Test
  void vocabularyShape() {
    Tokenizer t = Refs.qwen();
    assertEquals(151_669, t.vocabSize());
    assertEquals(151_643, t.model().vocabSize());
    assertEquals(151_645, t.tokenToId("<|im_end|>"));
    assertEquals("<|im_start|>", t.idToToken(151_644));
    assertEquals(26, t.addedTokens().size());
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    s.codePoints().forEach(c -> {
      if (c >= 0x20 && c < 0x7f) sb.append((char) c);
      else sb.append(String.format("\\u{%x}", c));
    });
    return sb.toString();
  }
}

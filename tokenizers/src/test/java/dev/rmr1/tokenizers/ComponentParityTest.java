package dev.rmr1.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Small tokenizers trained and saved by Hugging Face (make_refs.py), each covering components the Qwen
 * file does not use: Llama 3 and GPT-2 layouts, Metaspace, byte fallback, prefixes and suffixes,
 * normalizers, split behaviours, added-token flags, post-processors and decoders.
 */
class ComponentParityTest {

  @ParameterizedTest
  @ValueSource(strings = {"llama3_like", "gpt2_like", "gpt2_string_merges", "gpt2_prefix_space", "llama2_like",
      "metaspace_first", "metaspace_nosplit", "wordpiece_style", "nfkc_splits", "added_flags", "lowercase_added"})
  void encodeAndDecodeAsHuggingFace(String name) {
    Tokenizer t = Tokenizer.fromFile(Refs.resource("refs/tok_" + name + ".json"));
    int n = 0;
    for (JsonNode r : Refs.json("refs/tok_" + name + "_refs.json")) {
      String text = r.get("text").textValue();
      String shown = Qwen3ParityTest.escape(text);
      int[] withSpecial = Refs.ints(r.get("ids_special"));
      assertArrayEquals(Refs.ints(r.get("ids")), t.encode(text, false), () -> name + " encode " + shown);
      assertArrayEquals(withSpecial, t.encode(text, true), () -> name + " encode with special tokens " + shown);
      assertEquals(r.get("decoded").textValue(), t.decode(withSpecial, false), () -> name + " decode " + shown);
      assertEquals(r.get("decoded_skip").textValue(), t.decode(withSpecial, true), () -> name + " decode skipping specials " + shown);
      n++;
    }
    assertEquals(168, n);
  }
}

package dev.rmr1.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Test resources: the Qwen3 tokenizer and the Hugging Face references of src/test/python/make_refs.py. */
final class Refs {
  private Refs() {}

  private static Tokenizer qwen;

  static Path resource(String name) {
    try {
      return Path.of(Refs.class.getResource("/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource " + name, e);
    }
  }

  static JsonNode json(String name) {
    try {
      return new ObjectMapper().readTree(resource(name).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static synchronized Tokenizer qwen() {
    if (qwen == null) qwen = Tokenizer.fromFile(resource("qwen3/tokenizer.json"));
    return qwen;
  }

  static int[] ints(JsonNode a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).intValue();
    return out;
  }
}

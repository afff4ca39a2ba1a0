package dev.rmr1.examples;

import dev.rmr1.tokenizers.PretrainedTokenizer;
import dev.rmr1.training.demo.DemoTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** tiny-qwen2-a (random weights, vocab 320, context 256) and a 320-id BPE tokenizer trained on the fly. */
final class ExampleFixtures {
  private ExampleFixtures() {}

  static Path resource(String name) {
    try {
      return Path.of(ExampleFixtures.class.getResource("/dev/rmr1/examples/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path tinyQwen2() {
    return resource("tiny-qwen2-a");
  }

  /** A copy of tiny-qwen2-a whose config allows {@code positions} positions (rotary embeddings have no built-in limit). */
  static Path tinyQwen2WithContext(Path dir, int positions) {
    try {
      Files.createDirectories(dir);
      for (String f : new String[] {"model.safetensors", "generation_config.json"}) Files.copy(tinyQwen2().resolve(f), dir.resolve(f));
      String config = Files.readString(tinyQwen2().resolve("config.json"));
      Files.writeString(dir.resolve("config.json"), config.replace("\"max_position_embeddings\": 256", "\"max_position_embeddings\": " + positions));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PretrainedTokenizer tokenizer(Path dir) {
    return DemoTokenizer.train(3, 320, 120, 99, dir);
  }
}

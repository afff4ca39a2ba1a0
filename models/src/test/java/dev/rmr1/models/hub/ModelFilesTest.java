package dev.rmr1.models.hub;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
  @TempDir Path dir;

  private static final List<String> REPO = List.of(".gitattributes", "README.md", "config.json",
      "generation_config.json", "merges.txt", "vocab.json", "tokenizer.json", "tokenizer_config.json",
      "chat_template.jinja", "model.safetensors", "consolidated.safetensors", "pytorch_model.bin",
      "original/params.json", "original/tokenizer.model", "figures/benchmark.png");

  @Test
  void metadataIsConfigTokenizerAndGenerationFilesOnly() {
    assertEquals(List.of("chat_template.jinja", "config.json", "generation_config.json", "merges.txt",
        "tokenizer.json", "tokenizer_config.json", "vocab.json"), ModelFiles.metadataFiles(REPO));
  }

  @Test
  void singleFileWeightsWinOverOtherSafetensors() {
    assertEquals(List.of("model.safetensors"), ModelFiles.weightFiles(dir, REPO, "r"));
  }

  @Test
  void withoutModelSafetensorsEveryTopLevelSafetensorsFileIsTaken() {
    List<String> repo = List.of("config.json", "b.safetensors", "a.safetensors", "sub/c.safetensors");
    assertEquals(List.of("a.safetensors", "b.safetensors"), ModelFiles.weightFiles(dir, repo, "r"));
  }

  @Test
  void anIndexNamesExactlyItsShards() throws IOException {
    Files.writeString(dir.resolve(ModelFiles.WEIGHTS_INDEX), """
        {"metadata": {}, "weight_map": {"x": "s-2.safetensors", "y": "s-1.safetensors", "z": "s-2.safetensors"}}
        """);
    List<String> repo = List.of("config.json", ModelFiles.WEIGHTS_INDEX, "s-1.safetensors", "s-2.safetensors",
        "consolidated.safetensors");
    assertEquals(List.of("s-1.safetensors", "s-2.safetensors"), ModelFiles.weightFiles(dir, repo, "r"));
    Files.writeString(dir.resolve(ModelFiles.WEIGHTS_INDEX), "{\"weight_map\": {\"x\": \"../evil.safetensors\"}}");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ModelFiles.weightFiles(dir, repo, "r"));
    assertTrue(e.getMessage().contains("invalid shard file name"), e.getMessage());
    Files.writeString(dir.resolve(ModelFiles.WEIGHTS_INDEX), "{\"weight_map\": {}}");
    e = assertThrows(IllegalStateException.class, () -> ModelFiles.weightFiles(dir, repo, "r"));
    assertTrue(e.getMessage().contains("'weight_map' must be a non-empty object"), e.getMessage());
  }

  @Test
  void noWeightsIsAnError() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ModelFiles.weightFiles(dir, List.of("config.json", "README.md"), "org/x@main"));
    assertEquals("org/x@main has no safetensors weights", e.getMessage());
  }
}

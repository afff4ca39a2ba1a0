package dev.rmr1.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.autograd.Grad;
import dev.rmr1.models.config.Architecture;
import dev.rmr1.models.config.GenerationConfig;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.nn.Lora;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving model directories in the layout transformers' from_pretrained reads, and loading them back. */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class ModelSaverTest {
  @TempDir Path tmp;

  private static double[] logits(CausalLM m, long... ids) {
    try (TensorScope s = TensorScope.open(); Grad.Guard g = Grad.disabled()) {
      return m.forward(Tensor.ofLongs(ids, 1, ids.length)).data().toDoubleArray();
    }
  }

  @Test
  void shardedRoundTripIsExactAndWritesTransformersFiles() throws IOException {
    Path dir = tmp.resolve("out");
    Path tok = Files.createDirectories(tmp.resolve("tok"));
    Files.writeString(tok.resolve("tokenizer.json"), "{}");
    Files.writeString(tok.resolve("tokenizer_config.json"), "{}");
    GenerationConfig gen = GenerationConfig.parse("{\"eos_token_id\": [3, 7], \"do_sample\": true, \"temperature\": 0.7}", "test");
    double[] before;
    try (CausalLM m = CausalLM.load(Fixtures.tinyQwen2())) {
      before = logits(m, 5, 9, 200, 7);
      ModelSaver.save(m, dir, ModelSaver.Options.defaults().withMaxShardBytes(100_000).withGenerationConfig(gen).withTokenizerFrom(tok));
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(names.contains("model.safetensors.index.json"), names.toString());
      assertTrue(names.contains("model-00001-of-00006.safetensors"), names.toString());
      assertTrue(names.containsAll(List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")));
      assertFalse(names.contains("model.safetensors"));
    }
    JsonNode config = new ObjectMapper().readTree(Files.readString(dir.resolve("config.json")));
    assertEquals("Qwen2ForCausalLM", config.get("architectures").get(0).asText());
    assertEquals(10000.0, config.get("rope_theta").asDouble());
    assertEquals("float32", config.get("torch_dtype").asText());
    assertEquals(List.of(3, 7), GenerationConfig.read(dir.resolve("generation_config.json")).eosTokenIds());
    try (CausalLM m = CausalLM.load(dir)) {
      assertEquals(0, Fixtures.relativeError(logits(m, 5, 9, 200, 7), before));
    }
  }

  @Test
  void tiedModelsHaveNoLmHead() {
    ModelConfig config = ModelConfig.builder(Architecture.QWEN2).vocabSize(50).hiddenSize(16).intermediateSize(24).numHiddenLayers(1)
        .numAttentionHeads(4).numKeyValueHeads(2).maxPositionEmbeddings(32).tieWordEmbeddings(true).eosTokenIds(List.of(2)).build();
    Path dir = tmp.resolve("tied");
    double[] before;
    try (CausalLM m = CausalLM.random(config, DType.BF16, 3, 0.3)) {
      before = logits(m, 1, 2, 3);
      ModelSaver.save(m, dir, ModelSaver.Options.defaults());
    }
    try (SafeTensorsReader r = SafeTensors.openCheckpoint(dir)) {
      assertFalse(r.contains("lm_head.weight"));
      assertEquals(DType.BF16, r.info("model.embed_tokens.weight").dtype());
    }
    assertEquals(List.of(2), GenerationConfig.read(dir.resolve("generation_config.json")).eosTokenIds());
    try (CausalLM m = CausalLM.load(dir)) {
      assertTrue(m.config().tieWordEmbeddings());
      assertEquals(0, Fixtures.relativeError(logits(m, 1, 2, 3), before));
    }
  }

  @Test
  void loraMustBeMergedAndThenSavesTheMergedWeights() {
    Path dir = tmp.resolve("merged");
    double[] adapted;
    try (CausalLM m = CausalLM.load(Fixtures.tinyQwen2(), LoadOptions.training())) {
      PeftAdapter.load(m, Fixtures.path("tiny-qwen2-a-lora"));
      adapted = logits(m, 4, 8, 15);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> ModelSaver.save(m, dir, ModelSaver.Options.defaults()));
      assertTrue(e.getMessage().contains("merge"), e.getMessage());
      Lora.merge(m);
      ModelSaver.save(m, dir, ModelSaver.Options.defaults());
    }
    try (CausalLM m = CausalLM.load(dir)) {
      assertEquals(27, m.namedParameters().size());
      assertTrue(Fixtures.relativeError(logits(m, 4, 8, 15), adapted) < 1e-5);
    }
  }
}

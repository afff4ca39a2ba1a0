package dev.rmr1.models.config;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void readsTransformersV5ConfigOfTheTinyFixture() {
    ModelConfig c = ModelConfigJson.read(ConfigResources.path("tiny-qwen2-a/config.json"));
    assertEquals(Architecture.QWEN2, c.architecture());
    assertEquals(320, c.vocabSize());
    assertEquals(64, c.hiddenSize());
    assertEquals(160, c.intermediateSize());
    assertEquals(2, c.numHiddenLayers());
    assertEquals(4, c.numAttentionHeads());
    assertEquals(2, c.numKeyValueHeads());
    assertEquals(16, c.headDim());
    assertEquals(2, c.kvGroups());
    assertEquals(256, c.maxPositionEmbeddings());
    assertEquals(1e-6, c.rmsNormEps());
    assertEquals(10000.0, c.ropeTheta());
    assertEquals(new RopeScaling.None(), c.ropeScaling());
    assertFalse(c.tieWordEmbeddings());
    assertTrue(c.qkvBias());
    assertFalse(c.outputBias());
    assertFalse(c.mlpBias());
    assertFalse(c.qkNorm());
    assertEquals(Optional.of(DType.F32), c.dtype());
    assertEquals(OptionalInt.empty(), c.bosTokenId());
    assertEquals(List.of(), c.eosTokenIds());
    assertEquals(OptionalInt.empty(), c.padTokenId());
  }

  @Test
  void readsTransformersV4Qwen25Config() {
    ModelConfig c = ModelConfigJson.read(ConfigResources.path("qwen2.5-0.5b-instruct/config.json"));
    assertEquals(Architecture.QWEN2, c.architecture());
    assertEquals(151936, c.vocabSize());
    assertEquals(896, c.hiddenSize());
    assertEquals(4864, c.intermediateSize());
    assertEquals(24, c.numHiddenLayers());
    assertEquals(14, c.numAttentionHeads());
    assertEquals(2, c.numKeyValueHeads());
    assertEquals(64, c.headDim());
    assertEquals(32768, c.maxPositionEmbeddings());
    assertEquals(1e6, c.ropeTheta());
    assertTrue(c.tieWordEmbeddings());
    assertEquals(Optional.of(DType.BF16), c.dtype());
    assertEquals(OptionalInt.of(151643), c.bosTokenId());
    assertEquals(List.of(151645), c.eosTokenIds());
    assertEquals(896, c.queryDim());
    assertEquals(128, c.keyValueDim());
  }

  @Test
  void v4AndV5LayoutsOfTheSameModelGiveTheSameConfig() throws IOException {
    Path v4 = ConfigResources.path("qwen2.5-0.5b-instruct/config.json");
    ObjectNode v5 = (ObjectNode) MAPPER.readTree(v4.toFile());
    double theta = v5.remove("rope_theta").doubleValue();
    v5.putObject("rope_parameters").put("rope_theta", theta).put("rope_type", "default");
    v5.set("dtype", v5.remove("torch_dtype"));
    ArrayNode layerTypes = v5.putArray("layer_types");
    for (int i = 0; i < 24; i++) layerTypes.add("full_attention");
    assertEquals(ModelConfigJson.read(v4), ModelConfigJson.parse(v5.toString(), "v5.json"));
  }

  @Test
  void readsLlama3WithRopeScalingAndEosList() {
    ModelConfig c = ModelConfigJson.read(ConfigResources.path("llama-3.2-1b-instruct/config.json"));
    assertEquals(Architecture.LLAMA, c.architecture());
    assertEquals(64, c.headDim());
    assertEquals(8, c.numKeyValueHeads());
    assertEquals(500000.0, c.ropeTheta());
    assertEquals(new RopeScaling.Llama3(32.0, 1.0, 4.0, 8192), c.ropeScaling());
    assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
    assertEquals(1e-5, c.rmsNormEps());
    assertFalse(c.qkvBias());
    assertFalse(c.outputBias());
    assertFalse(c.mlpBias());
    assertFalse(c.qkNorm());
  }

  @Test
  void readsLlama3ScalingFromV5RopeParameters() {
    String json = """
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 100, "hidden_size": 64,
         "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
         "max_position_embeddings": 4096, "rms_norm_eps": 1e-5, "attention_bias": true, "mlp_bias": true,
         "dtype": "float16",
         "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
           "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 1024}}
        """;
    ModelConfig c = ModelConfigJson.parse(json, "llama-v5.json");
    assertEquals(500000.0, c.ropeTheta());
    assertEquals(new RopeScaling.Llama3(8.0, 1.0, 4.0, 1024), c.ropeScaling());
    assertTrue(c.qkvBias());
    assertTrue(c.outputBias());
    assertTrue(c.mlpBias());
    assertEquals(Optional.of(DType.F16), c.dtype());
  }

  @Test
  void readsQwen3WithExplicitHeadDimAndQkNorm() {
    ModelConfig c = ModelConfigJson.read(ConfigResources.path("qwen3-0.6b/config.json"));
    assertEquals(Architecture.QWEN3, c.architecture());
    assertEquals(128, c.headDim());
    assertEquals(2048, c.queryDim()); // 16 heads * 128, wider than hidden_size 1024
    assertEquals(1024, c.keyValueDim());
    assertTrue(c.qkNorm());
    assertFalse(c.qkvBias());
    assertFalse(c.outputBias());
    assertEquals(1e6, c.ropeTheta());
    assertTrue(c.tieWordEmbeddings());
  }

  @Test
  void defaultsWhereTransformersHasThem() {
    ModelConfig c = ModelConfigJson.parse("""
        {"model_type": "qwen2", "vocab_size": 10, "hidden_size": 12, "intermediate_size": 20,
         "num_hidden_layers": 1, "num_attention_heads": 3, "max_position_embeddings": 32}
        """, "minimal.json");
    assertEquals(3, c.numKeyValueHeads());
    assertEquals(4, c.headDim());
    assertEquals(10000.0, c.ropeTheta());
    assertEquals(1e-6, c.rmsNormEps());
    assertFalse(c.tieWordEmbeddings());
    assertEquals(Optional.empty(), c.dtype());
  }

  /** Each broken variant of the Qwen2.5 config must fail naming the file and the field. */
  @Test
  void badConfigsFailNamingFileAndField() throws IOException {
    record Case(String field, String messagePart, Consumer<ObjectNode> edit) {}
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("hidden_size", "missing", n -> n.remove("hidden_size")));
    cases.add(new Case("vocab_size", "missing", n -> n.putNull("vocab_size")));
    cases.add(new Case("hidden_size", "not divisible", n -> n.put("num_attention_heads", 13).put("num_key_value_heads", 1)));
    cases.add(new Case("num_key_value_heads", "multiple", n -> n.put("num_key_value_heads", 3)));
    cases.add(new Case("architectures", "unsupported architecture 'MistralForCausalLM'",
        n -> n.putArray("architectures").add("MistralForCausalLM")));
    cases.add(new Case("model_type", "unsupported model_type 'gpt2'", n -> {
      n.remove("architectures");
      n.put("model_type", "gpt2");
    }));
    cases.add(new Case("model_type", "contradicts", n -> n.put("model_type", "llama")));
    cases.add(new Case("architectures", "neither", n -> {
      n.remove("architectures");
      n.remove("model_type");
    }));
    cases.add(new Case("rope_type", "unsupported rope scaling type 'yarn'",
        n -> n.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0)));
    cases.add(new Case("rope_type", "unsupported rope scaling type 'linear'",
        n -> n.putObject("rope_scaling").put("type", "linear").put("factor", 2.0)));
    cases.add(new Case("type", "contradicts rope_type",
        n -> n.putObject("rope_scaling").put("rope_type", "default").put("type", "llama3")));
    cases.add(new Case("factor", "missing",
        n -> n.putObject("rope_scaling").put("rope_type", "llama3").put("low_freq_factor", 1.0)
            .put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8192)));
    cases.add(new Case("high_freq_factor", "greater than low_freq_factor",
        n -> n.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0).put("low_freq_factor", 4.0)
            .put("high_freq_factor", 1.0).put("original_max_position_embeddings", 8192)));
    cases.add(new Case("use_sliding_window", "not supported", n -> n.put("use_sliding_window", true)));
    cases.add(new Case("layer_types", "sliding_attention", n -> n.putArray("layer_types").add("sliding_attention")));
    cases.add(new Case("rope_theta", "contradicts",
        n -> n.putObject("rope_parameters").put("rope_theta", 10000.0).put("rope_type", "default")));
    cases.add(new Case("rope_scaling", "contradicts", n -> {
      n.putObject("rope_scaling").put("rope_type", "default");
      n.putObject("rope_parameters").put("rope_theta", 1e6).put("rope_type", "llama3").put("factor", 8.0)
          .put("low_freq_factor", 1.0).put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8192);
    }));
    cases.add(new Case("rope_parameters", "per-layer-type",
        n -> n.putObject("rope_parameters").putObject("full_attention").put("rope_theta", 1e6)));
    cases.add(new Case("dtype", "contradicts", n -> n.put("dtype", "float32")));
    cases.add(new Case("torch_dtype", "unsupported dtype 'int8'", n -> n.put("torch_dtype", "int8")));
    cases.add(new Case("hidden_act", "only silu", n -> n.put("hidden_act", "gelu")));
    cases.add(new Case("hidden_size", "expected an integer, got a string", n -> n.put("hidden_size", "896")));
    cases.add(new Case("hidden_size", "expected an integer, got a number 896.5", n -> n.put("hidden_size", 896.5)));
    cases.add(new Case("num_hidden_layers", "positive", n -> n.put("num_hidden_layers", 0)));
    cases.add(new Case("rms_norm_eps", "positive", n -> n.put("rms_norm_eps", -1.0)));
    cases.add(new Case("rms_norm_eps", "expected a number", n -> n.put("rms_norm_eps", "small")));
    cases.add(new Case("tie_word_embeddings", "true or false", n -> n.put("tie_word_embeddings", 1)));
    cases.add(new Case("eos_token_id", "integer or a list", n -> n.put("eos_token_id", "</s>")));
    cases.add(new Case("head_dim", "even", n -> n.put("head_dim", 63)));
    cases.add(new Case("partial_rotary_factor", "full rotary", n -> n.put("partial_rotary_factor", 0.5)));
    Path file = ConfigResources.path("qwen2.5-0.5b-instruct/config.json");
    for (Case c : cases) {
      ObjectNode n = (ObjectNode) MAPPER.readTree(file.toFile());
      c.edit().accept(n);
      ConfigException e = assertThrows(ConfigException.class, () -> ModelConfigJson.parse(n.toString(), "broken/config.json"),
          () -> "expected an error for " + c.field() + " (" + c.messagePart() + ")");
      assertEquals(c.field(), e.field(), e.getMessage());
      assertTrue(e.getMessage().startsWith("broken/config.json"), e.getMessage());
      assertTrue(e.getMessage().contains(c.messagePart()), e.getMessage());
    }
  }

  @Test
  void qwen3AttentionBiasAndLlamaMlpBiasAreRead() {
    ModelConfig q3 = ModelConfigJson.parse("""
        {"model_type": "qwen3", "vocab_size": 10, "hidden_size": 16, "intermediate_size": 20, "head_dim": 8,
         "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2,
         "max_position_embeddings": 32, "attention_bias": true}
        """, "q3.json");
    assertTrue(q3.qkvBias() && q3.outputBias() && q3.qkNorm());
    // Qwen2 has no attention_bias switch: the field is ignored, as transformers ignores it.
    ModelConfig q2 = ModelConfigJson.parse("""
        {"model_type": "qwen2", "vocab_size": 10, "hidden_size": 16, "intermediate_size": 20,
         "num_hidden_layers": 1, "num_attention_heads": 4, "max_position_embeddings": 32, "attention_bias": false}
        """, "q2.json");
    assertTrue(q2.qkvBias());
    assertFalse(q2.outputBias());
  }

  @Test
  void fileErrorsNameTheFile(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("config.json");
    UncheckedIOException io = assertThrows(UncheckedIOException.class, () -> ModelConfigJson.read(missing));
    assertTrue(io.getMessage().contains(missing.toString()), io.getMessage());
    Files.writeString(missing, "{\"hidden_size\": 12,");
    ConfigException bad = assertThrows(ConfigException.class, () -> ModelConfigJson.read(missing));
    assertTrue(bad.getMessage().startsWith(missing.toString()) && bad.getMessage().contains("not valid JSON"),
        bad.getMessage());
    Files.writeString(missing, "[1, 2]");
    ConfigException notObject = assertThrows(ConfigException.class, () -> ModelConfigJson.read(missing));
    assertTrue(notObject.getMessage().contains("expected a JSON object, got a list"), notObject.getMessage());
  }

  @Test
  void writesV4LayoutThatReadsBackEqual(@TempDir Path dir) throws IOException {
    for (String name : List.of("tiny-qwen2-a", "qwen2.5-0.5b-instruct", "llama-3.2-1b-instruct", "qwen3-0.6b")) {
      ModelConfig c = ModelConfigJson.read(ConfigResources.path(name + "/config.json"));
      Path out = dir.resolve(name).resolve("config.json");
      ModelConfigJson.write(c, out);
      assertEquals(c, ModelConfigJson.read(out), name);
      JsonNode written = MAPPER.readTree(out.toFile());
      assertFalse(written.has("rope_parameters"), name);
      assertFalse(written.has("dtype"), name);
      assertTrue(written.get("rope_theta").isNumber(), name);
      assertEquals(c.architecture().className(), written.get("architectures").get(0).asText());
      assertEquals(c.architecture().modelType(), written.get("model_type").asText());
    }
  }

  @Test
  void writtenJsonIsSortedIndentedAndWritesEosAsIntOrList() {
    ModelConfig one = ModelConfigJson.read(ConfigResources.path("qwen2.5-0.5b-instruct/config.json"));
    String text = ModelConfigJson.toJson(one);
    assertTrue(text.startsWith("{\n  \"architectures\": [\n    \"Qwen2ForCausalLM\"\n  ],\n"), text);
    assertTrue(text.contains("\n  \"eos_token_id\": 151645,\n"), text);
    assertTrue(text.contains("\n  \"torch_dtype\": \"bfloat16\",\n"), text);
    assertTrue(text.contains("\n  \"rope_scaling\": null,\n"), text);
    assertTrue(text.endsWith("}\n"), text);
    List<String> keys = new ArrayList<>();
    for (String line : text.split("\n")) if (line.startsWith("  \"")) keys.add(line.substring(3, line.indexOf('"', 3)));
    assertEquals(keys.stream().sorted().toList(), keys);
    ModelConfig many = one.toBuilder().eosTokenIds(List.of(1, 2)).build();
    assertTrue(ModelConfigJson.toJson(many).contains("\"eos_token_id\": [\n    1,\n    2\n  ]"));
    ModelConfig llama = ModelConfigJson.read(ConfigResources.path("llama-3.2-1b-instruct/config.json"));
    String l = ModelConfigJson.toJson(llama);
    assertTrue(l.contains("\"rope_type\": \"llama3\""), l);
    assertTrue(l.contains("\"attention_bias\": false") && l.contains("\"mlp_bias\": false"), l);
    assertFalse(l.contains("use_sliding_window"), l);
  }

  @Test
  void builderRejectsInconsistentBiases() {
    ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.builder(Architecture.QWEN2)
        .vocabSize(10).hiddenSize(16).intermediateSize(32).numHiddenLayers(1).numAttentionHeads(4)
        .maxPositionEmbeddings(64).attentionBias(false).build());
    assertEquals("attention_bias", e.field());
    assertNull(e.source());
    ConfigException mlp = assertThrows(ConfigException.class, () -> ModelConfig.builder(Architecture.QWEN3)
        .vocabSize(10).hiddenSize(16).intermediateSize(32).numHiddenLayers(1).numAttentionHeads(4)
        .maxPositionEmbeddings(64).mlpBias(true).build());
    assertEquals("mlp_bias", mlp.field());
  }
}

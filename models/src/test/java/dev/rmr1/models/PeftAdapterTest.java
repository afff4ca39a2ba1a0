package dev.rmr1.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.LoraConfig;
import dev.rmr1.nn.Parameter;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import dev.rmr1.tokenizers.PythonJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEFT adapter directories against tiny-qwen2-a-lora, which PEFT 0.21's {@code save_pretrained}
 * wrote (F64 adapters, saved without a task type).
 */
@SuppressWarnings("try") // scopes are opened for what they free
class PeftAdapterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What a save may differ in from the fixture: the fixture's base path and task type were never set. */
  private static final Set<String> SAVE_SPECIFIC = Set.of("base_model_name_or_path", "task_type", "auto_mapping", "target_modules");

  @TempDir Path dir;

  private static Path fixture() {
    return Fixtures.path("tiny-qwen2-a-lora");
  }

  private static JsonNode readJson(Path file) throws IOException {
    return JSON.readTree(Files.readString(file));
  }

  private static List<String> files(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void pythonJsonWritesTheFixtureConfigByteForByte() throws IOException {
    String text = Files.readString(fixture().resolve(PeftAdapter.CONFIG));
    assertEquals(text, PythonJson.HF_FILE_STYLE.dumps(JSON.readValue(text, Map.class)));
  }

  @Test
  void savingTheFixtureAdapterWritesPeftsFieldsAndTensors() throws IOException {
    try (CausalLM model = CausalLM.load(Fixtures.tinyQwen2(), LoadOptions.inference().withDtype(DType.F64))) {
      PeftAdapter.load(model, fixture());
      LoraConfig config = PeftAdapter.readConfig(fixture());
      PeftAdapter.save(model, config, "Qwen/tiny-qwen2-a", dir);
      assertEquals(List.of(PeftAdapter.CONFIG, PeftAdapter.WEIGHTS), files(dir), "the two files and no temporaries");

      String text = Files.readString(dir.resolve(PeftAdapter.CONFIG));
      assertEquals(PythonJson.HF_FILE_STYLE.dumps(JSON.readValue(text, Map.class)), text, "json.dumps(indent=2, sort_keys=True), no final newline");
      JsonNode saved = JSON.readTree(text), expected = readJson(fixture().resolve(PeftAdapter.CONFIG));
      Set<String> savedKeys = new TreeSet<>(), expectedKeys = new TreeSet<>();
      saved.fieldNames().forEachRemaining(savedKeys::add);
      expected.fieldNames().forEachRemaining(expectedKeys::add);
      assertEquals(expectedKeys, savedKeys, "PEFT 0.21's field set");
      for (String k : expectedKeys) if (!SAVE_SPECIFIC.contains(k)) assertEquals(expected.get(k), saved.get(k), k);
      assertEquals("Qwen/tiny-qwen2-a", saved.get("base_model_name_or_path").asText());
      assertEquals("CAUSAL_LM", saved.get("task_type").asText());
      assertTrue(saved.get("auto_mapping").isNull(), "PEFT writes auto_mapping only without a task type");
      assertEquals(PeftAdapter.PEFT_VERSION, saved.get("peft_version").asText());
      List<String> targets = new ArrayList<>(), fixtureTargets = new ArrayList<>();
      saved.get("target_modules").forEach(t -> targets.add(t.asText()));
      expected.get("target_modules").forEach(t -> fixtureTargets.add(t.asText()));
      assertEquals(new TreeSet<>(fixtureTargets), new HashSet<>(targets));
      assertEquals(List.copyOf(new TreeSet<>(targets)), targets, "written sorted");
      assertEquals(config, PeftAdapter.readConfig(dir));

      try (SafeTensorsFile f = SafeTensors.open(dir.resolve(PeftAdapter.WEIGHTS)); SafeTensorsFile orig = SafeTensors.open(fixture().resolve(PeftAdapter.WEIGHTS));
          TensorScope s = TensorScope.open()) {
        assertEquals(new TreeSet<>(orig.names()), new TreeSet<>(f.names()));
        assertEquals(Map.of("format", "pt"), f.metadata());
        for (String key : orig.names()) {
          assertTrue(key.startsWith("base_model.model.model.layers.") && key.matches(".*\\.lora_[AB]\\.weight"), key);
          assertEquals(orig.info(key).dtype(), f.info(key).dtype(), key);
          assertArrayEquals(orig.info(key).shape(), f.info(key).shape(), key);
          assertArrayEquals(orig.tensor(key).toDoubleArray(), f.tensor(key).toDoubleArray(), 0, key);
        }
      }
    }
  }

  @Test
  void savedAdapterLoadsBackIntoAFreshModel() {
    try (CausalLM a = CausalLM.load(Fixtures.tinyQwen2()); CausalLM b = CausalLM.load(Fixtures.tinyQwen2())) {
      PeftAdapter.load(a, fixture());
      PeftAdapter.save(a, PeftAdapter.readConfig(fixture()), null, dir);
      PeftAdapter.load(b, dir);
      Map<String, Parameter> pa = Lora.adapterParameters(a), pb = Lora.adapterParameters(b);
      assertEquals(pa.keySet(), pb.keySet());
      for (String n : pa.keySet()) assertArrayEquals(pa.get(n).value().toFloatArray(), pb.get(n).value().toFloatArray(), n);
    }
  }

  @Test
  void allLinearIsSavedAsTheLayersItMatched() throws IOException {
    try (CausalLM model = CausalLM.load(Fixtures.tinyQwen2())) {
      LoraConfig config = new LoraConfig(2, 3, 0.05, true, List.of(LoraConfig.ALL_LINEAR));
      Lora.apply(model, config, new Rng(1));
      PeftAdapter.save(model, config, "base", dir);
      JsonNode saved = readJson(dir.resolve(PeftAdapter.CONFIG));
      List<String> targets = new ArrayList<>();
      saved.get("target_modules").forEach(t -> targets.add(t.asText()));
      assertEquals(List.of("down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"), targets);
      assertEquals(3, saved.get("lora_alpha").asInt());
      assertTrue(saved.get("lora_alpha").isIntegralNumber(), "an integral alpha is written as PEFT's int");
      assertEquals(0.05, saved.get("lora_dropout").asDouble());
      assertTrue(saved.get("use_rslora").asBoolean());
      try (CausalLM fresh = CausalLM.load(Fixtures.tinyQwen2())) {
        assertEquals(14, PeftAdapter.load(fresh, dir).size());
        assertEquals(Lora.adapters(model).get("model.layers.1.mlp.up_proj").scaling(), Lora.adapters(fresh).get("model.layers.1.mlp.up_proj").scaling());
      }
    }
  }

  @Test
  void saveRejectsAConfigThatDoesNotDescribeTheAdapters() throws IOException {
    try (CausalLM model = CausalLM.load(Fixtures.tinyQwen2())) {
      LoraConfig config = new LoraConfig(2, 4, 0, false, List.of("q_proj"));
      assertThrows(IllegalArgumentException.class, () -> PeftAdapter.save(model, config, null, dir), "no adapters");
      Lora.apply(model, config, new Rng(1));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> PeftAdapter.save(model, new LoraConfig(4, 4, 0, false, List.of("q_proj")), null, dir));
      assertTrue(e.getMessage().contains("model.layers.0.self_attn.q_proj") && e.getMessage().contains("r 2"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.save(model, new LoraConfig(2, 8, 0, false, List.of("q_proj")), null, dir));
      assertTrue(e.getMessage().contains("scaling"), e.getMessage());
      assertFalse(Files.exists(dir.resolve(PeftAdapter.CONFIG)), "nothing written");
    }
  }

  @Test
  void readConfigRejectsPeftVariantsItCannotRun() throws IOException {
    String fixtureConfig = Files.readString(fixture().resolve(PeftAdapter.CONFIG));
    Map<String, String> variants = Map.of("lora_bias", "true", "use_qalora", "true", "exclude_modules", "[\"lm_head\"]", "target_parameters",
        "[\"mlp.experts\"]", "trainable_token_indices", "[5]", "layer_replication", "[[0, 1]]", "alora_invocation_tokens", "[7]", "use_dora", "true");
    for (var v : variants.entrySet()) {
      ObjectNode node = (ObjectNode) JSON.readTree(fixtureConfig);
      node.set(v.getKey(), JSON.readTree(v.getValue()));
      Path d = Files.createDirectories(dir.resolve(v.getKey()));
      Files.writeString(d.resolve(PeftAdapter.CONFIG), node.toString());
      CheckpointException e = assertThrows(CheckpointException.class, () -> PeftAdapter.readConfig(d), v.getKey());
      assertTrue(e.getMessage().contains("'" + v.getKey() + "'"), e.getMessage());
    }
  }
}

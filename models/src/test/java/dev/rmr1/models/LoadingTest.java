package dev.rmr1.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.autograd.Grad;
import dev.rmr1.models.config.Architecture;
import dev.rmr1.models.config.ConfigException;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.models.config.ModelConfigJson;
import dev.rmr1.nn.Parameter;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.cpu.CpuStorage;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading: zero-copy placement, conversions, and the errors for checkpoints that do not fit. */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class LoadingTest {
  @TempDir Path tmp;

  private static boolean mapped(Parameter p) {
    return ((CpuStorage) p.value().storage()).segment().isMapped();
  }

  @Test
  void inferenceLoadingIsZeroCopyAndFrozen() {
    try (CausalLM m = CausalLM.load(Fixtures.tinyQwen2())) {
      assertEquals(27, m.namedParameters().size());
      for (var e : m.namedParameters().entrySet()) {
        assertTrue(mapped(e.getValue()), e.getKey() + " is a view of the mapped file");
        assertFalse(e.getValue().requiresGrad());
      }
    }
  }

  @Test
  void bf16WeightsStayBf16AndMapped() {
    Path dir = tmp.resolve("bf16");
    try (CausalLM m = CausalLM.load(Fixtures.tinyQwen2())) {
      ModelSaver.save(m, dir, ModelSaver.Options.defaults().withDtype(DType.BF16));
    }
    try (CausalLM m = CausalLM.load(dir); TensorScope s = TensorScope.open(); Grad.Guard g = Grad.disabled()) {
      assertEquals(DType.F32, m.computeDtype());
      for (var e : m.namedParameters().entrySet()) {
        assertEquals(DType.BF16, e.getValue().value().dtype(), e.getKey());
        assertTrue(mapped(e.getValue()), e.getKey());
      }
      assertEquals(DType.F32, m.forward(Tensor.ofLongs(new long[] {1, 2, 3}, 1, 3)).dtype());
    }
  }

  @Test
  void trainingLoadingMakesWritableCopiesThatRequireGradients() {
    try (CausalLM m = CausalLM.load(Fixtures.tinyQwen2(), LoadOptions.training().withDtype(DType.F64))) {
      for (Parameter p : m.namedParameters().values()) {
        assertFalse(mapped(p));
        assertTrue(p.requiresGrad());
        assertEquals(DType.F64, p.value().dtype());
      }
      assertEquals(DType.F64, m.computeDtype());
    }
    assertThrows(IllegalArgumentException.class, () -> LoadOptions.training().withDtype(DType.BF16));
  }

  /** tiny-qwen2-a with its tensors edited and/or its config replaced. */
  private Path variant(Consumer<Map<String, Tensor>> edit, ModelConfig config) {
    Path dir = tmp.resolve("variant");
    try (SafeTensorsReader r = SafeTensors.openCheckpoint(Fixtures.tinyQwen2()); TensorScope s = TensorScope.open()) {
      Map<String, Tensor> t = r.tensors();
      edit.accept(t);
      SafeTensors.write(dir.resolve("model.safetensors"), t);
    }
    ModelConfigJson.write(config, dir.resolve("config.json"));
    return dir;
  }

  private static ModelConfig tinyConfig() {
    return ModelConfigJson.read(Fixtures.tinyQwen2().resolve("config.json"));
  }

  @Test
  void missingTensorIsNamed() {
    Path dir = variant(t -> t.remove("model.layers.1.mlp.up_proj.weight"), tinyConfig());
    CheckpointException e = assertThrows(CheckpointException.class, () -> CausalLM.load(dir));
    assertTrue(e.getMessage().contains("missing tensor 'model.layers.1.mlp.up_proj.weight'"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
  }

  @Test
  void shapeContradictingTheConfigNamesBothShapes() {
    Path dir = variant(t -> {}, tinyConfig().toBuilder().intermediateSize(161).build());
    CheckpointException e = assertThrows(CheckpointException.class, () -> CausalLM.load(dir));
    assertTrue(e.getMessage().contains("'model.layers.0.mlp.gate_proj.weight' has shape [160, 64]"), e.getMessage());
    assertTrue(e.getMessage().contains("implies [161, 64]"), e.getMessage());
  }

  @Test
  void tensorsTheConfigDoesNotHaveAreAnError() {
    Path dir = variant(t -> t.put("model.layers.0.self_attn.q_norm.weight", Tensor.ones(DType.F32, 16)), tinyConfig());
    CheckpointException e = assertThrows(CheckpointException.class, () -> CausalLM.load(dir));
    assertTrue(e.getMessage().contains("model.layers.0.self_attn.q_norm.weight"), e.getMessage());
    // a tied config ignores a saved lm_head, as transformers does
    Path tied = variant(t -> {}, tinyConfig().toBuilder().tieWordEmbeddings(true).build());
    try (CausalLM m = CausalLM.load(tied)) {
      assertFalse(m.namedParameters().containsKey("lm_head.weight"));
    }
  }

  @Test
  void unsupportedArchitecturesAndScalingAreClearErrors() throws IOException {
    Path dir = variant(t -> {}, tinyConfig());
    String json = Files.readString(dir.resolve("config.json"));
    Files.writeString(dir.resolve("config.json"), json.replace("Qwen2ForCausalLM", "MistralForCausalLM").replace("\"qwen2\"", "\"mistral\""));
    ConfigException e = assertThrows(ConfigException.class, () -> CausalLM.load(dir));
    assertTrue(e.getMessage().contains("Mistral") || e.getMessage().contains("mistral"), e.getMessage());
    Files.writeString(dir.resolve("config.json"), json.replace("\"rope_theta\"", "\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}, \"rope_theta\""));
    e = assertThrows(ConfigException.class, () -> CausalLM.load(dir));
    assertTrue(e.getMessage().contains("yarn"), e.getMessage());
    Path llama = variant(t -> {}, ModelConfig.builder(Architecture.LLAMA).vocabSize(320).hiddenSize(64).intermediateSize(160).numHiddenLayers(2)
        .numAttentionHeads(4).numKeyValueHeads(2).maxPositionEmbeddings(256).mlpBias(true).build());
    CheckpointException c = assertThrows(CheckpointException.class, () -> CausalLM.load(llama));
    assertTrue(c.getMessage().contains("mlp_bias"), c.getMessage());
  }

  @Test
  void sequencesLongerThanTheContextAreRejected() {
    try (CausalLM m = CausalLM.load(Fixtures.tinyQwen2()); TensorScope s = TensorScope.open()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(DType.I64, 1, 257)));
      assertTrue(e.getMessage().contains("max_position_embeddings (256)"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.ofLongs(new long[] {5, 320}, 1, 2)));
      assertTrue(e.getMessage().contains("token id 320"), e.getMessage());
    }
  }
}

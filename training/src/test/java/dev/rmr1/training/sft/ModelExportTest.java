package dev.rmr1.training.sft;

import static dev.rmr1.training.TrainingFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.autograd.Grad;
import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.models.PeftAdapter;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.NamedParameter;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import dev.rmr1.training.TrainingFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelExportTest {
  private static final long[] IDS = {5, 17, 300, 42, 9, 111, 250, 3, 77};

  @SuppressWarnings("try")
  private static double[] logits(CausalLM m) {
    try (TensorScope scope = TensorScope.open(); Grad.Guard g = Grad.disabled()) {
      return m.forward(Tensor.ofLongs(IDS, 1, IDS.length)).data().toDoubleArray();
    }
  }

  /** A LoRA model whose adapters are not the identity (B drawn at random, as PEFT's fixture did). */
  private static TrainableModel randomLora() {
    CausalLM m = CausalLM.load(TrainingFixtures.tinyModel(), LoadOptions.inference());
    Lora.apply(m, TrainingFixtures.TINY_LORA, new Rng(1));
    TrainableModel tm = TrainableModel.of(m, TrainingFixtures.TINY_LORA);
    Rng rng = new Rng(2);
    for (NamedParameter p : tm.parameters())
      if (p.name().contains("lora_B")) {
        try (Tensor r = Tensor.normal(Device.CPU, DType.F32, rng, 0, 0.1, p.value().shape())) {
          p.value().copyFrom(r);
        }
      }
    return tm;
  }

  @Test
  void adapterIsWrittenInPeftsFormatAndLoadsBack(@TempDir Path dir) throws Exception {
    try (TrainableModel tm = randomLora()) {
      double[] expected = logits(tm.model());
      ModelExport.adapter(tm, dir, "Qwen/Qwen2.5-7B-Instruct");
      String text = Files.readString(dir.resolve("adapter_config.json"));
      var json = new ObjectMapper().readTree(text);
      List<String> keys = new ArrayList<>();
      json.fieldNames().forEachRemaining(keys::add);
      List<String> sorted = new ArrayList<>(keys);
      sorted.sort(null);
      assertEquals(sorted, keys, "sorted keys");
      assertTrue(text.startsWith("{\n  \"alora_invocation_tokens\": null,\n  \"alpha_pattern\": {},\n"), text);
      assertTrue(text.contains("\n  \"peft_type\": \"LORA\",\n"), text);
      assertEquals("Qwen/Qwen2.5-7B-Instruct", json.get("base_model_name_or_path").asText());
      assertEquals(4, json.get("r").asInt());
      assertEquals(PeftAdapter.PEFT_VERSION, json.get("peft_version").asText());
      assertTrue(text.endsWith("\n}"), "PEFT writes no final newline");
      var fixture = new ObjectMapper().readTree(Files.readString(TrainingFixtures.path("tiny-qwen2-a-lora/adapter_config.json")));
      List<String> fixtureKeys = new ArrayList<>();
      fixture.fieldNames().forEachRemaining(fixtureKeys::add);
      fixtureKeys.sort(null);
      assertEquals(fixtureKeys, keys, "the fields PEFT 0.21 writes");
      for (String k : List.of("lora_alpha", "lora_dropout", "bias", "use_rslora", "use_dora", "fan_in_fan_out", "init_lora_weights", "task_type",
          "inference_mode", "modules_to_save", "rank_pattern", "revision", "target_modules"))
        assertTrue(json.has(k), k);
      try (SafeTensorsFile f = SafeTensors.open(dir.resolve("adapter_model.safetensors"))) {
        assertEquals(28, f.names().size());
        assertTrue(f.contains("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"), f.names().toString());
        assertEquals("pt", f.metadata().get("format"));
      }
      try (CausalLM fresh = CausalLM.load(TrainingFixtures.tinyModel(), LoadOptions.inference())) {
        PeftAdapter.load(fresh, dir);
        assertArrayEquals(expected, logits(fresh));
      }
    }
  }

  @Test
  void mergedDirectoryGivesTheAdaptedLogitsAndTheAdaptersStayUsable(@TempDir Path dir) {
    try (TrainableModel tm = randomLora()) {
      double[] adapted = logits(tm.model());
      ModelExport.merged(tm, dir, null);
      assertArrayEquals(adapted, logits(tm.model()), 1e-5, "unmerged again after the save");
      assertTrue(Lora.adapters(tm.model()).values().stream().noneMatch(a -> a.isMerged()));
      try (CausalLM merged = CausalLM.load(dir)) {
        assertTrue(Lora.adapters(merged).isEmpty());
        try (TensorScope s = TensorScope.open()) {
          assertClose("merged logits", Tensor.of(adapted, adapted.length), Tensor.of(logits(merged), adapted.length), 1e-4, 1e-4);
        }
      }
    }
  }

  /**
   * Every saved weight against a scalar reference: W + s * sum_k B[o][k] A[k][i] (in double from the stored F32 values)
   * for the adapted layers, the checkpoint's own bits for the rest; whether or not the adapters were merged beforehand
   * (the delta must be added once), and the model keeps that state.
   */
  @Test
  void mergedWeightsAreBasePlusScaledBA(@TempDir Path dir) {
    for (boolean mergedBefore : new boolean[] {false, true}) {
      Path out = dir.resolve("merged-" + mergedBefore);
      try (TrainableModel tm = randomLora()) {
        double[] adapted = logits(tm.model());
        if (mergedBefore) Lora.merge(tm.model());
        ModelExport.merged(tm, out, null);
        assertTrue(Lora.adapters(tm.model()).values().stream().allMatch(a -> a.isMerged() == mergedBefore), "state kept");
        assertArrayEquals(adapted, logits(tm.model()), 1e-5);
        var adapters = Lora.adapters(tm.model());
        try (SafeTensorsFile base = SafeTensors.open(TrainingFixtures.tinyModel().resolve("model.safetensors"));
            SafeTensorsFile saved = SafeTensors.open(out.resolve("model.safetensors")); TensorScope s = TensorScope.open()) {
          assertEquals(new java.util.TreeSet<>(base.names()), new java.util.TreeSet<>(saved.names()));
          for (String name : base.names()) {
            assertEquals(base.info(name).dtype(), saved.info(name).dtype(), name);
            double[] w = base.tensor(name).toDoubleArray(), got = saved.tensor(name).toDoubleArray();
            var lora = name.endsWith(".weight") ? adapters.get(name.substring(0, name.length() - ".weight".length())) : null;
            if (lora == null) {
              assertArrayEquals(w, got, 0, name + " is not adapted: saved as in the checkpoint");
              continue;
            }
            int out0 = base.info(name).shape()[0], in = base.info(name).shape()[1], r = lora.a().outFeatures();
            double[] a = lora.a().weight().value().toDoubleArray(), b = lora.b().weight().value().toDoubleArray();
            double maxDelta = 0;
            for (int o = 0; o < out0; o++)
              for (int i = 0; i < in; i++) {
                double ba = 0;
                for (int k = 0; k < r; k++) ba += b[o * r + k] * a[k * in + i];
                double expected = w[o * in + i] + lora.scaling() * ba;
                maxDelta = Math.max(maxDelta, Math.abs(lora.scaling() * ba));
                assertEquals(expected, got[o * in + i], 1e-6 * (1 + Math.abs(expected)), name + "[" + o + ", " + i + "]");
              }
            assertTrue(maxDelta > 1e-2, name + ": the adapter moves the weight");
          }
        }
      }
    }
  }

  @Test
  void fullFineTunedModelIsSavedAsIs(@TempDir Path dir) {
    try (TrainableModel tm = TrainableModel.of(TrainingFixtures.trainableTiny(DType.F32), null)) {
      assertThrows(IllegalArgumentException.class, () -> ModelExport.adapter(tm, dir, null));
      ModelExport.merged(tm, dir, null);
      try (CausalLM back = CausalLM.load(dir)) {
        assertArrayEquals(logits(tm.model()), logits(back));
      }
      assertTrue(Files.exists(dir.resolve("config.json")));
      assertTrue(Files.exists(dir.resolve("generation_config.json")));
    }
  }
}

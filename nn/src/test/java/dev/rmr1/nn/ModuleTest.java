package dev.rmr1.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.cpu.NativeMemory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parameter naming, loading, modes and lifetime of module trees. */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class ModuleTest {

  /** The Qwen2 module layout, two layers, to check that names equal Hugging Face state-dict keys. */
  static final class TinyDecoder extends Module {
    TinyDecoder(DType dtype) {
      Model model = registerModule("model", new Model(dtype));
      registerModule("lm_head", new Linear(8, 11, false, dtype, Device.CPU));
      assertTrue(model != null);
    }
  }

  static final class Model extends Module {
    Model(DType dtype) {
      registerModule("embed_tokens", new Embedding(11, 8, dtype, Device.CPU));
      ModuleList<Layer> layers = registerModule("layers", new ModuleList<>());
      layers.add(new Layer(dtype)).add(new Layer(dtype));
      registerModule("norm", new RMSNorm(8, 1e-6, dtype, Device.CPU));
    }
  }

  static final class Layer extends Module {
    Layer(DType dtype) {
      registerModule("self_attn", new Attention(8, 2, 1, 4, true, false, false, 1e-6, dtype, Device.CPU));
      registerModule("mlp", new SwiGluMlp(8, 12, dtype, Device.CPU));
      registerModule("input_layernorm", new RMSNorm(8, 1e-6, dtype, Device.CPU));
      registerModule("post_attention_layernorm", new RMSNorm(8, 1e-6, dtype, Device.CPU));
    }
  }

  @Test
  void parameterNamesAreHuggingFaceKeys() {
    try (TinyDecoder m = new TinyDecoder(DType.F32)) {
      List<String> names = List.copyOf(m.namedParameters().keySet());
      assertEquals(List.of("model.embed_tokens.weight",
          "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.q_proj.bias",
          "model.layers.0.self_attn.k_proj.weight", "model.layers.0.self_attn.k_proj.bias",
          "model.layers.0.self_attn.v_proj.weight", "model.layers.0.self_attn.v_proj.bias",
          "model.layers.0.self_attn.o_proj.weight",
          "model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.down_proj.weight",
          "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight"), names.subList(0, 13));
      assertEquals(List.of("model.norm.weight", "lm_head.weight"), names.subList(names.size() - 2, names.size()));
      assertEquals(2 * 12 + 3, names.size());
      // (kv heads * head dim, hidden), as nn.Linear stores (out, in)
      assertArrayEquals(new int[] {4, 8}, m.parameter("model.layers.1.self_attn.k_proj.weight").shape());
      assertTrue(m.namedModules().containsKey("model.layers.1.mlp.down_proj"));
      assertEquals(names.size(), m.trainableParameters().size());
      assertThrows(IllegalArgumentException.class, () -> m.parameter("model.nope"));
    }
  }

  @Test
  void stateDictLoadsByNameWithClearErrors() {
    try (TensorScope s = TensorScope.open(); TinyDecoder m = new TinyDecoder(DType.F32); TinyDecoder source = new TinyDecoder(DType.F64)) {
      for (Parameter p : source.namedParameters().values()) Init.uniform(p, new dev.rmr1.tensor.Rng(4), -1, 1);
      Map<String, Tensor> values = new LinkedHashMap<>(source.stateDict());
      assertTrue(m.loadStateDict(values, true).missing().isEmpty());
      assertEquals((float) source.parameter("lm_head.weight").value().get(3, 5), (float) m.parameter("lm_head.weight").value().get(3, 5));
      assertEquals(DType.F32, m.parameter("lm_head.weight").value().dtype(), "loading casts to the parameter's dtype");
      values.remove("model.norm.weight");
      values.put("model.extra", Tensor.zeros(DType.F32, 1));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(values, true));
      assertTrue(e.getMessage().contains("model.norm.weight") && e.getMessage().contains("model.extra"), e.getMessage());
      Module.LoadReport r = m.loadStateDict(values, false);
      assertEquals(List.of("model.norm.weight"), r.missing());
      assertEquals(List.of("model.extra"), r.unexpected());
      values.put("lm_head.weight", Tensor.zeros(DType.F32, 8, 11));
      e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(values, false));
      assertTrue(e.getMessage().contains("lm_head.weight") && e.getMessage().contains("[8, 11]") && e.getMessage().contains("[11, 8]"), e.getMessage());
    }
  }

  @Test
  void modesFreezingAndReplacement() {
    try (TensorScope s = TensorScope.open(); TinyDecoder m = new TinyDecoder(DType.F32)) {
      m.eval();
      for (Module c : m.namedModules().values()) assertFalse(c.isTraining());
      m.train(true);
      assertTrue(m.namedModules().get("model.layers.1.mlp").isTraining());
      m.setRequiresGrad(false);
      assertTrue(m.trainableParameters().isEmpty());
      Parameter w = m.parameter("lm_head.weight");
      w.replace("lm_head.weight", Tensor.ones(DType.BF16, 11, 8));
      assertEquals(DType.BF16, w.value().dtype());
      assertThrows(IllegalArgumentException.class, () -> w.replace("lm_head.weight", Tensor.ones(DType.BF16, 8, 11)));
    }
  }

  /** Embedding and output projection sharing one matrix (tie_word_embeddings). */
  static final class Tied extends Module {
    final Embedding embed;
    final Linear head;

    Tied() {
      embed = registerModule("embed_tokens", new Embedding(5, 3, DType.F64, Device.CPU));
      head = registerModule("lm_head", new Linear(embed.weight(), null));
    }
  }

  @Test
  void tiedParametersAreListedOnceAndCollectBothGradients() {
    try (TensorScope s = TensorScope.open(); Tied m = new Tied()) {
      Init.uniform(m.embed.weight(), new dev.rmr1.tensor.Rng(1), -1, 1);
      assertEquals(List.of("embed_tokens.weight"), List.copyOf(m.namedParameters().keySet()));
      Tensor ids = Tensor.ofLongs(new long[] {1, 3}, 2);
      dev.rmr1.autograd.Var h = m.embed.forward(ids);
      m.head.forward(h).sum().backward();
      // d/dW of sum(W[ids] W^T): rows ids get sum_v W[v]; every row v gets sum_i W[ids_i]
      double[] w = m.embed.weight().value().toDoubleArray(), g = m.embed.weight().grad().toDoubleArray();
      for (int v = 0; v < 5; v++)
        for (int c = 0; c < 3; c++) {
          double expected = w[3 + c] + w[9 + c];
          double colSum = 0;
          for (int r = 0; r < 5; r++) colSum += w[r * 3 + c];
          if (v == 1) expected += colSum;
          if (v == 3) expected += colSum;
          assertEquals(expected, g[v * 3 + c], 1e-12);
        }
      assertThrows(IllegalArgumentException.class, () -> new Linear(m.embed.weight(), m.embed.weight()));
    }
  }

  /** Layers built over existing parameters use those very parameters, and reject wrong shapes. */
  @Test
  void layersOverExistingParametersShareThem() {
    try (TensorScope s = TensorScope.open()) {
      Parameter table = new Parameter(Tensor.ones(DType.F32, 5, 3), false), gain = new Parameter(Tensor.ones(DType.F32, 3), false);
      Embedding emb = new Embedding(table);
      RMSNorm norm = new RMSNorm(gain, 1e-6);
      assertTrue(emb.weight() == table && norm.weight() == gain);
      assertTrue(emb.namedParameters().get("weight") == table);
      Linear gate = new Linear(3, 4, false, DType.F32, Device.CPU), up = new Linear(3, 4, false, DType.F32, Device.CPU);
      Linear down = new Linear(4, 3, false, DType.F32, Device.CPU);
      SwiGluMlp mlp = new SwiGluMlp(gate, up, down);
      assertTrue(mlp.gateProj() == gate && mlp.parameter("down_proj.weight") == down.weight());
      Linear q = new Linear(8, 8, true, DType.F32, Device.CPU), k = new Linear(8, 4, true, DType.F32, Device.CPU);
      Linear v = new Linear(8, 4, true, DType.F32, Device.CPU), o = new Linear(8, 8, false, DType.F32, Device.CPU);
      Attention att = new Attention(2, 1, 4, q, k, v, o, null, null);
      assertTrue(att.parameter("k_proj.bias") == k.bias());
      assertThrows(IllegalArgumentException.class, () -> new Attention(2, 1, 4, q, v, v, v, null, null));
      assertThrows(IllegalArgumentException.class, () -> new Attention(2, 1, 4, q, k, v, o, new RMSNorm(gain, 1e-6), null));
      assertThrows(IllegalArgumentException.class, () -> new SwiGluMlp(gate, down, down));
      assertThrows(IllegalArgumentException.class, () -> new Embedding(gain));
      assertThrows(IllegalArgumentException.class, () -> new RMSNorm(table, 1e-6));
      mlp.close();
      att.close();
      table.close();
      gain.close();
    }
  }

  @Test
  void closingAModuleFreesItsParameters() {
    long before = NativeMemory.liveBytes();
    TinyDecoder m;
    try (TensorScope s = TensorScope.open()) {
      m = new TinyDecoder(DType.F32); // parameters created inside a scope still belong to the module
    }
    assertTrue(NativeMemory.liveBytes() > before);
    m.close();
    assertEquals(before, NativeMemory.liveBytes());
  }
}

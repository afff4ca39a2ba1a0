package dev.rmr1.tensor.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Reads the Qwen2 fixture that transformers' save_pretrained wrote (copied from
 * shared/fixtures/tiny-qwen2-a): every expected parameter with its shape from config.json, and
 * values checked against numbers computed independently with numpy.
 */
class TinyQwen2FixtureTest {
  private Path resource(String name) throws Exception {
    return Path.of(getClass().getResource("/tiny-qwen2-a/" + name).toURI());
  }

  @Test
  void everyQwen2ParameterIsThereWithItsShape() throws Exception {
    JsonNode cfg = JsonMapper.builder().build().readTree(Files.readString(resource("config.json")));
    int vocab = cfg.get("vocab_size").intValue(), hidden = cfg.get("hidden_size").intValue();
    int inter = cfg.get("intermediate_size").intValue(), layers = cfg.get("num_hidden_layers").intValue();
    int heads = cfg.get("num_attention_heads").intValue(), kvHeads = cfg.get("num_key_value_heads").intValue();
    int headDim = hidden / heads;
    // The fixture's documented dimensions (shared/fixtures/README.md).
    assertArrayEquals(new int[] {320, 64, 160, 2, 4, 2, 16}, new int[] {vocab, hidden, inter, layers, heads, kvHeads, headDim});
    assertFalse(cfg.get("tie_word_embeddings").booleanValue());

    // Qwen2ForCausalLM's state dict: untied lm_head, q/k/v with bias, o_proj without.
    Map<String, int[]> want = new TreeMap<>();
    want.put("model.embed_tokens.weight", new int[] {vocab, hidden});
    want.put("lm_head.weight", new int[] {vocab, hidden});
    want.put("model.norm.weight", new int[] {hidden});
    for (int l = 0; l < layers; l++) {
      String p = "model.layers." + l + ".";
      want.put(p + "input_layernorm.weight", new int[] {hidden});
      want.put(p + "post_attention_layernorm.weight", new int[] {hidden});
      want.put(p + "self_attn.q_proj.weight", new int[] {heads * headDim, hidden});
      want.put(p + "self_attn.q_proj.bias", new int[] {heads * headDim});
      want.put(p + "self_attn.k_proj.weight", new int[] {kvHeads * headDim, hidden});
      want.put(p + "self_attn.k_proj.bias", new int[] {kvHeads * headDim});
      want.put(p + "self_attn.v_proj.weight", new int[] {kvHeads * headDim, hidden});
      want.put(p + "self_attn.v_proj.bias", new int[] {kvHeads * headDim});
      want.put(p + "self_attn.o_proj.weight", new int[] {hidden, heads * headDim});
      want.put(p + "mlp.gate_proj.weight", new int[] {inter, hidden});
      want.put(p + "mlp.up_proj.weight", new int[] {inter, hidden});
      want.put(p + "mlp.down_proj.weight", new int[] {hidden, inter});
    }
    try (SafeTensorsReader f = SafeTensors.openCheckpoint(resource("model.safetensors"))) {
      assertEquals(want.keySet().stream().toList(), f.names());
      assertEquals(Map.of("format", "pt"), f.metadata());
      for (var e : want.entrySet()) {
        assertEquals(DType.F32, f.info(e.getKey()).dtype(), e.getKey());
        assertArrayEquals(e.getValue(), f.info(e.getKey()).shape(), e.getKey());
        assertEquals(e.getValue().length, f.info(e.getKey()).dim());
        assertEquals(4 * Tensor.numel(e.getValue()), f.info(e.getKey()).byteSize());
      }
      assertEquals(want.keySet(), ((SafeTensorsFile) f).infos().keySet());
    }
  }

  /**
   * Expected numbers from an independent numpy reader (struct + json + np.frombuffer over the raw
   * file), e.g. {@code a = np.frombuffer(data[s:e], '<f4').astype(np.float64); a.sum(), (a*a).sum(),
   * a.flat[0], a.flat[-1]}. numpy sums pairwise, so sums are compared to 1e-12 of the sum of magnitudes.
   */
  @Test
  void valuesMatchAnIndependentNumpyReading() throws Exception {
    Object[][] expected = {
      // name, sum, sum of squares, first, last
      {"model.embed_tokens.weight", 43.149596173236205, 469.56755191457444, -0.041999492794275284, 0.05445350706577301},
      {"lm_head.weight", -17.88611811935249, 460.48566967555115, -0.030574731528759003, -0.13932418823242188},
      {"model.norm.weight", 63.12376022338867, 62.755381506643026, 1.076524019241333, 0.9365590810775757},
      {"model.layers.1.self_attn.k_proj.bias", -0.14444082602858543, 0.33748804013991873, 0.004907767288386822, -0.004782508593052626},
      {"model.layers.0.mlp.down_proj.weight", -6.601066731178435, 230.89647213391277, 0.09199023246765137, 0.022972512990236282},
    };
    try (SafeTensorsFile f = SafeTensors.open(resource("model.safetensors")); TensorScope s = TensorScope.open()) {
      for (Object[] row : expected) {
        double[] v = f.tensor((String) row[0]).toDoubleArray();
        double sum = 0, sq = 0, abs = 0;
        for (double x : v) {
          sum += x;
          sq += x * x;
          abs += Math.abs(x);
        }
        assertEquals((double) row[1], sum, 1e-12 * abs, row[0] + " sum");
        assertEquals((double) row[2], sq, 1e-12 * (double) row[2], row[0] + " sum of squares");
        assertEquals((double) row[3], v[0], 0, row[0] + " first");
        assertEquals((double) row[4], v[v.length - 1], 0, row[0] + " last");
      }
      // q_proj.weight[5, 7] of layer 0: an element in the middle, through a 2-d index.
      assertEquals(-0.1400349885225296, f.tensor("model.layers.0.self_attn.q_proj.weight").get(5, 7), 0);
      // The whole checkpoint: 127,552 parameters summing to 317.6846385447113 (numpy, float64).
      double total = 0;
      long count = 0;
      for (Tensor t : f.tensors().values()) {
        total += t.sum().item(); // F32 sums: compared loosely
        count += t.numel();
      }
      assertEquals(127_552, count);
      assertEquals(317.6846385447113, total, 1e-3);
    }
  }

  /** reference_logits.safetensors mixes I64 ids and F32 logits (no metadata). */
  @Test
  void referenceLogitsIdsAndValues() throws Exception {
    try (SafeTensorsFile f = SafeTensors.open(resource("reference_logits.safetensors")); TensorScope s = TensorScope.open()) {
      assertTrue(f.metadata().isEmpty());
      assertEquals(DType.I64, f.info("greedy_12").dtype());
      assertArrayEquals(new long[] {271, 7, 53, 109, 216, 72, 271, 23, 271, 72, 135, 159}, f.tensor("greedy_12").toLongArray());
      assertArrayEquals(new long[] {108, 128, 203, 247, 250, 198, 211, 60, 236, 63, 5}, f.tensor("input_ids_2").toLongArray());
      assertArrayEquals(new int[] {24, 320}, f.info("logits_1").shape());
      assertEquals(-0.020465416833758354, f.tensor("logits_2").get(10, 319), 0);
      double sum = 0;
      for (double x : f.tensor("logits_1").toDoubleArray()) sum += x;
      assertEquals(-283.467290390603, sum, 1e-9);
    }
  }
}

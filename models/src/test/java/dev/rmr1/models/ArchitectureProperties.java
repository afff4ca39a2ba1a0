package dev.rmr1.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.autograd.Grad;
import dev.rmr1.models.config.Architecture;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.models.config.RopeScaling;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The one decoder against {@link ReferenceDecoder} for random Qwen2, Llama (with and without
 * attention bias and Llama-3 rope scaling) and Qwen3 configurations, tied or not, with grouped or
 * full KV heads, through both the full-sequence forward and the KV-cache step.
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class ArchitectureProperties {
  static ModelConfig randomConfig(Architecture arch, int shape, boolean tied, boolean bias, boolean scaled, double theta) {
    int[][] headShapes = {{4, 2, 4}, {2, 1, 6}, {3, 3, 4}, {6, 2, 2}}; // heads, kv heads, head dim
    int[] hs = headShapes[shape % headShapes.length];
    ModelConfig.Builder b = ModelConfig.builder(arch).vocabSize(29).hiddenSize(12).intermediateSize(20).numHiddenLayers(2)
        .numAttentionHeads(hs[0]).numKeyValueHeads(hs[1]).headDim(hs[2]).maxPositionEmbeddings(64).ropeTheta(theta).tieWordEmbeddings(tied);
    if (arch != Architecture.QWEN2) b.attentionBias(bias);
    if (scaled && arch == Architecture.LLAMA) b.ropeScaling(new RopeScaling.Llama3(8, 1, 4, 32)); // all three frequency bands occur
    return b.build();
  }

  @Property(tries = 24)
  void decoderMatchesTheReference(@ForAll Architecture arch, @ForAll @IntRange(min = 0, max = 3) int shape, @ForAll boolean tied,
      @ForAll boolean bias, @ForAll boolean scaled, @ForAll @IntRange(min = 1, max = 9) int length, @ForAll long seed) {
    ModelConfig config = randomConfig(arch, shape, tied, bias, scaled, shape % 2 == 0 ? 100 : 10000);
    try (CausalLM m = CausalLM.random(config, DType.F64, seed, 0.4); TensorScope s = TensorScope.open(); Grad.Guard g = Grad.disabled()) {
      int[] ids = new int[length];
      java.util.Random r = new java.util.Random(seed);
      for (int i = 0; i < length; i++) ids[i] = r.nextInt(config.vocabSize());
      double[][] ref = new ReferenceDecoder(m).logits(ids);
      double[] expected = Arrays.stream(ref).flatMapToDouble(Arrays::stream).toArray();
      double[] full = m.forward(Tensor.ofLongs(Arrays.stream(ids).asLongStream().toArray(), 1, length)).data().toDoubleArray();
      // rotary tables are float32-rounded as in transformers, the reference is all double
      assertTrue(Fixtures.relativeError(full, expected) < 1e-5, config + ": " + Fixtures.relativeError(full, expected));
      try (SequenceCache cache = m.newCache()) {
        int split = length / 2;
        double[] a = split == 0 ? new double[0] : m.step(List.of(cache), List.of(Arrays.copyOf(ids, split)), true).toDoubleArray();
        double[] b = m.step(List.of(cache), List.of(Arrays.copyOfRange(ids, split, length)), true).toDoubleArray();
        double[] cached = new double[a.length + b.length];
        System.arraycopy(a, 0, cached, 0, a.length);
        System.arraycopy(b, 0, cached, a.length, b.length);
        assertTrue(Fixtures.relativeError(cached, full) < 1e-12);
        assertEquals(length, cache.length());
      }
    }
  }

  @Property(tries = 6)
  void parameterNamesAreTheHuggingFaceKeys(@ForAll Architecture arch, @ForAll boolean tied) {
    ModelConfig config = randomConfig(arch, 0, tied, true, false, 10000);
    try (CausalLM m = CausalLM.random(config, DType.F32, 1, 0.1)) {
      List<String> names = List.copyOf(m.namedParameters().keySet());
      assertEquals("model.embed_tokens.weight", names.get(0));
      assertEquals(tied, !names.contains("lm_head.weight"));
      assertEquals(arch == Architecture.QWEN3, names.contains("model.layers.1.self_attn.q_norm.weight"));
      assertEquals(arch != Architecture.QWEN2, names.contains("model.layers.0.self_attn.o_proj.bias"));
      assertTrue(names.contains("model.layers.0.self_attn.q_proj.bias"));
      assertTrue(names.containsAll(List.of("model.layers.1.mlp.gate_proj.weight", "model.layers.1.mlp.up_proj.weight",
          "model.layers.1.mlp.down_proj.weight", "model.layers.1.input_layernorm.weight", "model.layers.1.post_attention_layernorm.weight",
          "model.norm.weight")));
    }
  }
}

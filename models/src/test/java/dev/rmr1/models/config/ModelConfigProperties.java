package dev.rmr1.models.config;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.tensor.DType;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ModelConfigProperties {

  /** Whatever valid config is built in code, writing config.json and reading it back gives it again. */
  @Property(tries = 200)
  void writeThenReadIsIdentity(@ForAll("configs") ModelConfig c) {
    assertEquals(c, ModelConfigJson.parse(ModelConfigJson.toJson(c), "roundtrip.json"));
  }

  /** Without head_dim, transformers derives hidden/heads; the parser agrees or names hidden_size. */
  @Property(tries = 200)
  void headDimDefaultsToHiddenOverHeads(
      @ForAll("sizes") int hidden, @ForAll("heads") int heads) {
    String json = "{\"model_type\": \"llama\", \"vocab_size\": 8, \"hidden_size\": " + hidden
        + ", \"intermediate_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": " + heads
        + ", \"max_position_embeddings\": 16}";
    if (hidden % heads == 0 && (hidden / heads) % 2 == 0) {
      assertEquals(hidden / heads, ModelConfigJson.parse(json, "c.json").headDim());
    } else {
      ConfigException e = assertThrows(ConfigException.class, () -> ModelConfigJson.parse(json, "c.json"));
      assertEquals(hidden % heads != 0 ? "hidden_size" : "head_dim", e.field(), e.getMessage());
      assertTrue(e.getMessage().startsWith("c.json: "), e.getMessage());
    }
  }

  @Provide
  Arbitrary<Integer> sizes() {
    return Arbitraries.integers().between(1, 512);
  }

  @Provide
  Arbitrary<Integer> heads() {
    return Arbitraries.integers().between(1, 40);
  }

  @Provide
  Arbitrary<ModelConfig> configs() {
    Arbitrary<Architecture> arch = Arbitraries.of(Architecture.class);
    Arbitrary<int[]> shape = Combinators.combine(
            Arbitraries.integers().between(1, 16), // kv heads
            Arbitraries.integers().between(1, 8), // groups
            Arbitraries.integers().between(1, 64).map(h -> 2 * h), // head dim
            Arbitraries.integers().between(1, 200_000), // vocab
            Arbitraries.integers().between(1, 100_000)) // intermediate
        .as((kv, groups, hd, vocab, inter) -> new int[] {kv, groups, hd, vocab, inter});
    Arbitrary<RopeScaling> scaling = Arbitraries.oneOf(
        Arbitraries.just(new RopeScaling.None()),
        Combinators.combine(
                Arbitraries.doubles().between(1, 64),
                Arbitraries.doubles().between(0.5, 2),
                Arbitraries.doubles().between(2.5, 8),
                Arbitraries.integers().between(16, 16384))
            .as(RopeScaling.Llama3::new));
    Arbitrary<List<Integer>> eos = Arbitraries.integers().between(0, 200_000).list().ofMaxSize(3);
    Arbitrary<DType> dtype = Arbitraries.of(DType.F32, DType.F16, DType.BF16, DType.F64);
    return Combinators.combine(arch, shape, scaling, eos, dtype, Arbitraries.integers().between(1, 64),
            Arbitraries.doubles().between(1e3, 1e7), Arbitraries.of(true, false))
        .as((a, s, sc, e, dt, layers, theta, flag) -> {
          ModelConfig.Builder b = ModelConfig.builder(a)
              .numKeyValueHeads(s[0]).numAttentionHeads(s[0] * s[1]).headDim(s[2]).hiddenSize(s[0] * s[1] * s[2] + (flag ? 0 : 7))
              .vocabSize(s[3]).intermediateSize(s[4]).numHiddenLayers(layers).maxPositionEmbeddings(4096)
              .rmsNormEps(flag ? 1e-6 : 1e-5).ropeTheta(theta).ropeScaling(sc).tieWordEmbeddings(flag)
              .eosTokenIds(e).dtype(dt);
          if (a != Architecture.QWEN2) b.attentionBias(flag);
          if (a == Architecture.LLAMA) b.mlpBias(!flag);
          if (flag) b.bosTokenId(s[3] - 1).padTokenId(0);
          return b.build();
        });
  }
}

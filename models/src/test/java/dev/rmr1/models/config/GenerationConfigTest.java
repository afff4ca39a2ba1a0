package dev.rmr1.models.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationConfigTest {

  @Test
  void readsQwen25InstructSamplingDefaults() {
    GenerationConfig g = GenerationConfig.read(ConfigResources.path("qwen2.5-0.5b-instruct/generation_config.json"));
    assertEquals(OptionalInt.of(151643), g.bosTokenId());
    assertEquals(List.of(151645, 151643), g.eosTokenIds());
    assertEquals(OptionalInt.of(151643), g.padTokenId());
    assertTrue(g.doSample());
    assertEquals(0.7, g.temperature());
    assertEquals(0.8, g.topP());
    assertEquals(20, g.topK());
    assertEquals(1.1, g.repetitionPenalty());
    assertEquals(OptionalDouble.empty(), g.minP());
    assertEquals(OptionalInt.empty(), g.maxNewTokens());
  }

  @Test
  void absentFieldsTakeTransformersDefaults() {
    GenerationConfig g = GenerationConfig.read(ConfigResources.path("tiny-qwen2-a/generation_config.json"));
    assertEquals(GenerationConfig.defaults(), g);
    assertFalse(g.doSample());
    assertEquals(1.0, g.temperature());
    assertEquals(1.0, g.topP());
    assertEquals(50, g.topK());
    assertEquals(1.0, g.repetitionPenalty());
    GenerationConfig nulls = GenerationConfig.parse("{\"temperature\": null, \"eos_token_id\": 7}", "g.json");
    assertEquals(1.0, nulls.temperature());
    assertEquals(List.of(7), nulls.eosTokenIds());
  }

  @Test
  void fallsBackToTheModelConfigWithoutAFile(@TempDir Path dir) {
    ModelConfig m = ModelConfigJson.read(ConfigResources.path("qwen2.5-0.5b-instruct/config.json"));
    GenerationConfig g = GenerationConfig.forModelDirectory(dir, m);
    assertEquals(List.of(151645), g.eosTokenIds());
    assertEquals(OptionalInt.of(151643), g.bosTokenId());
    assertFalse(g.doSample());
    Path withFile = ConfigResources.path("qwen2.5-0.5b-instruct/config.json").getParent();
    assertEquals(List.of(151645, 151643), GenerationConfig.forModelDirectory(withFile, m).eosTokenIds());
  }

  @Test
  void badValuesFailNamingFileAndField() {
    String[][] cases = {
      {"{\"top_p\": 0}", "top_p"},
      {"{\"top_p\": 1.5}", "top_p"},
      {"{\"temperature\": -0.1}", "temperature"},
      {"{\"top_k\": -1}", "top_k"},
      {"{\"min_p\": 2}", "min_p"},
      {"{\"repetition_penalty\": 0}", "repetition_penalty"},
      {"{\"max_new_tokens\": 0}", "max_new_tokens"},
      {"{\"eos_token_id\": [1, \"x\"]}", "eos_token_id"},
      {"{\"do_sample\": \"yes\"}", "do_sample"},
      {"{\"top_k\": 2.5}", "top_k"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class, () -> GenerationConfig.parse(c[0], "m/generation_config.json"), c[0]);
      assertEquals(c[1], e.field(), e.getMessage());
      assertTrue(e.getMessage().startsWith("m/generation_config.json: field '" + c[1] + "'"), e.getMessage());
    }
  }

  @Test
  void writesOnlyNonDefaultsAndEosAsIntOrList(@TempDir Path dir) {
    assertEquals("{ }\n", GenerationConfig.defaults().toJson().replace("{}", "{ }"));
    GenerationConfig g = GenerationConfig.read(ConfigResources.path("qwen2.5-0.5b-instruct/generation_config.json"));
    String text = g.toJson();
    assertTrue(text.contains("\"eos_token_id\": [\n    151645,\n    151643\n  ]"), text);
    assertTrue(text.contains("\"top_k\": 20") && text.contains("\"do_sample\": true"), text);
    assertFalse(text.contains("max_new_tokens"), text);
    Path file = dir.resolve("generation_config.json");
    g.write(file);
    assertEquals(g, GenerationConfig.read(file));
  }

  @Property(tries = 200)
  void writeThenReadIsIdentity(@ForAll("configs") GenerationConfig g) {
    assertEquals(g, GenerationConfig.parse(g.toJson(), "g.json"));
  }

  @Provide
  Arbitrary<GenerationConfig> configs() {
    Arbitrary<OptionalInt> id = Arbitraries.integers().between(0, 200_000).map(OptionalInt::of)
        .injectNull(0.3).map(o -> o == null ? OptionalInt.empty() : o);
    Arbitrary<OptionalInt> limit = Arbitraries.integers().between(1, 100_000).map(OptionalInt::of)
        .injectNull(0.5).map(o -> o == null ? OptionalInt.empty() : o);
    Arbitrary<OptionalDouble> minP = Arbitraries.doubles().between(0, 1).map(OptionalDouble::of)
        .injectNull(0.5).map(o -> o == null ? OptionalDouble.empty() : o);
    Arbitrary<double[]> sampling = Combinators.combine(
            Arbitraries.doubles().between(0, 2), Arbitraries.doubles().between(0.01, 1),
            Arbitraries.doubles().between(0.5, 2))
        .as((t, p, r) -> new double[] {t, p, r});
    return Combinators.combine(id, Arbitraries.integers().between(0, 200_000).list().ofMaxSize(3), id,
            Arbitraries.of(true, false), sampling, Arbitraries.integers().between(0, 200), minP,
            Combinators.combine(limit, limit).as((a, b) -> new OptionalInt[] {a, b}))
        .as((bos, eos, pad, sample, s, k, mp, lim) ->
            new GenerationConfig(bos, eos, pad, sample, s[0], s[1], k, mp, s[2], lim[0], lim[1]));
  }
}

package dev.rmr1.models.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.Fixtures;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.KernelTimers;
import org.junit.jupiter.api.Test;

class DecodeBenchmarkTest {
  @Test
  void weightBytesCountTheLmHeadOnceAndSkipAnUntiedEmbedding() {
    try (CausalLM untied = CausalLM.load(Fixtures.tinyQwen2())) {
      long all = untied.namedParameters().values().stream().mapToLong(p -> p.value().byteSize()).sum();
      assertEquals(all - 320 * 64 * 4, DecodeBenchmark.weightBytesPerToken(untied));
      ModelConfig tiedConfig = untied.config().toBuilder().tieWordEmbeddings(true).build();
      try (CausalLM tied = CausalLM.random(tiedConfig, DType.BF16, 1, 0.1)) {
        long tiedAll = tied.namedParameters().values().stream().mapToLong(p -> p.value().byteSize()).sum();
        assertEquals(tiedAll, DecodeBenchmark.weightBytesPerToken(tied));
      }
    }
  }

  @Test
  void runsAndReportsEveryRun() {
    try (CausalLM m = CausalLM.load(Fixtures.tinyQwen2())) {
      DecodeBenchmark.Result r = DecodeBenchmark.run(m, new DecodeBenchmark.Settings(5, 3, 2, 0, 2, 7));
      assertEquals(2, r.runs().size());
      for (GenerationStats s : r.runs()) {
        assertEquals(10, s.prefillTokens());
        assertEquals(4, s.decodeTokens()); // 2 sequences x 2 decode steps
        assertEquals(2, s.decodeSteps());
      }
      assertTrue(r.decodeTokensPerSecond() > 0 && r.prefillTokensPerSecond() > 0);
      assertThrows(IllegalArgumentException.class, () -> DecodeBenchmark.run(m, new DecodeBenchmark.Settings(250, 10, 1, 0, 1, 0)));
    }
  }

  @Test
  void profileTimesTheDecodeStepsOnly() {
    try (CausalLM m = CausalLM.load(Fixtures.tinyQwen2())) {
      int layers = m.config().numHiddenLayers();
      DecodeBenchmark.Profile p = DecodeBenchmark.profile(m, new DecodeBenchmark.Settings(5, 4, 2, 0, 1, 7));
      assertEquals(3, p.stats().decodeSteps());
      // per layer q, k, v, o, gate, up, down; then the LM head: the prefill pass is not counted
      assertEquals(3L * (7 * layers + 1), p.kernels().get(KernelTimers.Kernel.MATMUL).calls());
      assertTrue(p.sites().stream().anyMatch(s -> s.site().startsWith("matmul <- ")), p.sites().toString());
      assertFalse(KernelTimers.enabled(), "the timers are switched off again");
    }
  }
}

package dev.rmr1.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rmr1.autograd.Grad;
import dev.rmr1.models.generate.GenerationOptions;
import dev.rmr1.models.generate.GenerationRequest;
import dev.rmr1.models.generate.Generator;
import dev.rmr1.models.generate.SamplingParams;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.cpu.NativeMemory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Native memory returns to its level after generation, inference and training steps (nothing leaks per call). */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class MemoryTest {
  @Test
  void generationFreesEveryCacheAndTemporary() {
    try (CausalLM m = CausalLM.load(Fixtures.tinyQwen2())) {
      Generator g = new Generator(m);
      List<GenerationRequest> reqs = List.of(new GenerationRequest(new int[] {1, 2, 3}, SamplingParams.GREEDY, 0),
          new GenerationRequest(new int[] {4, 5}, new SamplingParams(1, 0, 1, 0), 1), new GenerationRequest(new int[] {4, 5}, SamplingParams.GREEDY, 2));
      g.generate(reqs, GenerationOptions.of(70).withMaxBatchSize(2)); // caches grow past their first capacity
      long base = NativeMemory.liveBytes();
      for (int i = 0; i < 3; i++) {
        g.generate(reqs, GenerationOptions.of(70).withMaxBatchSize(2));
        assertEquals(base, NativeMemory.liveBytes(), "after run " + i);
      }
    }
  }

  @Test
  void forwardAndTrainingStepsInsideAScopeLeaveNothing() {
    try (CausalLM m = CausalLM.load(Fixtures.tinyQwen2(), LoadOptions.training())) {
      Tensor ids = Tensor.ofLongs(new long[] {3, 1, 4, 1, 5, 9, 2, 6}, 1, 8);
      long base = NativeMemory.liveBytes();
      for (int i = 0; i < 3; i++) {
        try (TensorScope s = TensorScope.open(); Grad.Guard g = Grad.disabled()) {
          m.forward(ids);
        }
        assertEquals(base, NativeMemory.liveBytes(), "inference " + i);
      }
      m.setGradientCheckpointing(true);
      try (TensorScope s = TensorScope.open()) {
        m.loss(ids, ids).backward();
      }
      m.clearGrads();
      assertEquals(base, NativeMemory.liveBytes(), "training step");
      ids.close();
    }
  }
}

package dev.rmr1.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.models.config.Architecture;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.cpu.NativeMemory;
import org.junit.jupiter.api.Test;

/**
 * Issue 3, "memory and speed": full training steps of constant shape (forward, backward, clipping,
 * AdamW, gradients cleared) keep native memory flat: after every one of 1,000 steps exactly the
 * bytes of the first step remain (weights and optimizer state), and the peak never grows.
 */
class TrainStepMemoryTest {
  @Test
  void thousandTrainingStepsKeepNativeMemoryFlat() {
    ModelConfig config = ModelConfig.builder(Architecture.QWEN2).hiddenSize(16).numHiddenLayers(1).numAttentionHeads(2).numKeyValueHeads(1)
        .intermediateSize(24).vocabSize(50).tieWordEmbeddings(true).maxPositionEmbeddings(32).build();
    long before = NativeMemory.liveBytes();
    try (TrainStepBenchmark bench = new TrainStepBenchmark(config, 1, 9, 3, false, Device.CPU)) {
      double first = bench.step().loss();
      long live = NativeMemory.liveBytes();
      NativeMemory.resetPeak();
      bench.step();
      long peak = NativeMemory.peakBytes();
      double last = first;
      for (int i = 2; i < 1000; i++) {
        last = bench.step().loss();
        assertEquals(live, NativeMemory.liveBytes(), "native bytes after step " + i);
      }
      assertEquals(peak, NativeMemory.peakBytes(), "peak native bytes over steps 2..999");
      assertTrue(last < first, "the steps train: loss " + first + " -> " + last);
    }
    assertEquals(before, NativeMemory.liveBytes(), "everything freed on close");
  }
}

package dev.rmr1.training.sft;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.NamedParameter;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.training.TrainingFixtures;
import dev.rmr1.training.checkpoint.CheckpointManager;
import dev.rmr1.training.config.OptimConfig;
import dev.rmr1.training.config.SftOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftTrainerTest {
  static List<SftSample> samples(int n, long seed, int minLen, int maxLen) {
    Rng rng = new Rng(seed);
    List<SftSample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int len = minLen + rng.nextInt(maxLen - minLen + 1);
      int[] ids = new int[len];
      for (int j = 0; j < len; j++) ids[j] = rng.nextInt(320);
      out.add(new SftSample(ids, 1 + rng.nextInt(len / 2), false));
    }
    return out;
  }

  static OptimConfig optim(double lr) {
    OptimConfig d = OptimConfig.sftDefaults();
    return new OptimConfig(lr, d.beta1(), d.beta2(), d.eps(), 0.01, 1.0, d.schedule(), 0.1, d.minLrRatio());
  }

  static SftOptions options(int global, int micro, int epochs, int maxSteps) {
    return new SftOptions(global, micro, epochs, maxSteps, 64, false, false);
  }

  static Map<String, double[]> weights(TrainableModel m) {
    Map<String, double[]> w = new LinkedHashMap<>();
    for (NamedParameter p : m.parameters()) w.put(p.name(), p.value().toDoubleArray());
    return w;
  }

  static void assertSameWeights(Map<String, double[]> a, Map<String, double[]> b) {
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
  }

  @Test
  void lossFallsWhenFittingAFewSequences() {
    try (TrainableModel m = TrainableModel.of(TrainingFixtures.trainableTiny(DType.F32), null);
        SftTrainer t = new SftTrainer(m, samples(4, 1, 6, 12), options(4, 2, 12, 0), optim(3e-3), 7, 0)) {
      assertEquals(12, t.totalSteps());
      SftStepMetrics first = t.trainStep();
      SftStepMetrics last = first;
      while (!t.finished()) last = t.trainStep();
      assertEquals(12, last.step());
      assertEquals(11, last.epoch());
      assertTrue(last.loss() < 0.5 * first.loss(), "loss " + first.loss() + " -> " + last.loss());
      assertEquals(0.0, first.lr(), "the first warmup step runs at lr 0 (HF LambdaLR)");
      assertTrue(first.gradNorm() > 0);
      assertEquals(2, first.microBatches());
      assertThrows(IllegalStateException.class, t::trainStep);
    }
  }

  /** Saving after step k and resuming in a fresh trainer reproduces the uninterrupted run bit for bit. */
  @Test
  void resumeFromACheckpointIsExact(@TempDir Path dir) throws Exception {
    List<SftSample> data = samples(10, 2, 4, 14);
    SftOptions opts = options(4, 2, 2, 0); // 3 steps per epoch (the last one short), 6 steps
    Map<String, double[]> straight;
    List<Double> losses = new ArrayList<>();
    CheckpointManager ckpt = new CheckpointManager(dir, 2);
    try (TrainableModel m = TrainableModel.of(TrainingFixtures.trainableTiny(DType.F32), null);
        SftTrainer t = new SftTrainer(m, data, opts, optim(1e-3), 3, 0)) {
      assertEquals(6, t.totalSteps());
      for (int i = 0; i < 4; i++) losses.add(t.trainStep().loss());
      t.save(ckpt, t.state());
      while (!t.finished()) losses.add(t.trainStep().loss());
      straight = weights(m);
    }
    try (TrainableModel m = TrainableModel.of(TrainingFixtures.trainableTiny(DType.F32), null);
        SftTrainer t = new SftTrainer(m, data, opts, optim(1e-3), 3, 0)) {
      t.restore(ckpt.latest().orElseThrow());
      assertEquals(4, t.step());
      assertEquals(4, t.optimizer().stepCount());
      List<Double> resumed = new ArrayList<>();
      while (!t.finished()) resumed.add(t.trainStep().loss());
      assertEquals(losses.subList(4, 6), resumed);
      assertSameWeights(straight, weights(m));
    }
    // a checkpoint of another stage is refused, naming the directory
    try (TrainableModel m = TrainableModel.of(TrainingFixtures.trainableTiny(DType.F32), null);
        SftTrainer t = new SftTrainer(m, data, opts, optim(1e-3), 3, 0)) {
      t.save(ckpt, t.state().withExtra(TrainerCheckpoints.STAGE, "grpo"));
      var e = assertThrows(IllegalArgumentException.class, () -> t.restore(ckpt.load(0).orElseThrow()));
      assertTrue(e.getMessage().contains("checkpoint-0") && e.getMessage().contains("grpo"), e.getMessage());
    }
  }

  /**
   * Gradient accumulation: with equally many loss tokens per sample, one step over 4 sequences gives the same update in
   * micro-batches of 1, 2 or 4 (the per-micro-batch token mean then weighs every token alike).
   */
  @Test
  void accumulationMatchesOneLargeMicroBatch() {
    List<SftSample> data = new ArrayList<>();
    Rng rng = new Rng(9);
    for (int i = 0; i < 4; i++) {
      int[] ids = new int[8 + i];
      for (int j = 0; j < ids.length; j++) ids[j] = rng.nextInt(320);
      data.add(new SftSample(ids, ids.length - 5, false)); // prompts of different lengths, 5 loss tokens each
    }
    Map<String, double[]> reference = null;
    for (int micro : new int[] {4, 2, 1}) {
      try (TrainableModel m = TrainableModel.of(TrainingFixtures.trainableTiny(DType.F64), null);
          SftTrainer t = new SftTrainer(m, data, options(4, micro, 1, 0), optim(1e-3), 5, 0)) {
        SftStepMetrics s = t.trainStep();
        assertEquals(20, s.lossTokens());
        Map<String, double[]> w = weights(m);
        if (reference == null) {
          reference = w;
        } else {
          for (String k : w.keySet()) {
            double[] a = reference.get(k), b = w.get(k);
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-12, k + " with micro-batch " + micro);
          }
        }
      }
    }
  }

  @Test
  void loraTrainsOnlyTheAdapters(@TempDir Path dir) throws Exception {
    CausalLM base = CausalLM.load(TrainingFixtures.tinyModel(), LoadOptions.inference());
    Lora.apply(base, TrainingFixtures.TINY_LORA, new Rng(4));
    try (TrainableModel m = TrainableModel.of(base, TrainingFixtures.TINY_LORA);
        SftTrainer t = new SftTrainer(m, samples(6, 3, 5, 10), options(2, 1, 1, 0), optim(1e-2), 1, 0)) {
      Tensor q = base.parameter("model.layers.0.self_attn.q_proj.weight").value();
      double[] before = q.toDoubleArray();
      double[] b0 = m.parameter("model.layers.0.self_attn.q_proj.lora_B.weight").value().toDoubleArray();
      for (double v : b0) assertEquals(0.0, v, "PEFT initialises B to zero");
      while (!t.finished()) t.trainStep();
      assertArrayEquals(before, q.toDoubleArray(), "the base stays frozen");
      double[] b1 = m.parameter("model.layers.0.self_attn.q_proj.lora_B.weight").value().toDoubleArray();
      assertFalse(java.util.Arrays.equals(b0, b1), "the adapter trained");
      assertEquals(28, m.parameters().size());
      Path c = t.save(new CheckpointManager(dir, 1), t.state());
      assertTrue(Files.size(c.resolve(TrainerCheckpoints.WEIGHTS + ".safetensors")) < 100_000, "a LoRA checkpoint holds only the adapters");
    }
  }
}

package dev.rmr1.training;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.autograd.Var;
import dev.rmr1.models.CausalLM;
import dev.rmr1.models.config.Architecture;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.LoraConfig;
import dev.rmr1.nn.optim.AdamW;
import dev.rmr1.nn.optim.GradClip;
import dev.rmr1.nn.optim.ParamGroup;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.cpu.NativeMemory;
import dev.rmr1.training.config.LossAggregation;
import dev.rmr1.training.config.OptimConfig;
import dev.rmr1.training.config.SftOptions;
import dev.rmr1.training.grpo.AggregationTotals;
import dev.rmr1.training.grpo.GrpoLoss;
import dev.rmr1.training.grpo.ResponseBatch;
import dev.rmr1.training.sft.SftSample;
import dev.rmr1.training.sft.SftTrainer;
import dev.rmr1.training.sft.TrainableModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** 1,000 constant-shape training steps leave native memory exactly where it was after warm-up. */
class FlatMemoryTest {
  static final ModelConfig MICRO = ModelConfig.builder(Architecture.QWEN2).vocabSize(64).hiddenSize(16).intermediateSize(32).numHiddenLayers(1)
      .numAttentionHeads(2).numKeyValueHeads(1).maxPositionEmbeddings(64).build();

  @Test
  void sftStepsWithGradientCheckpointingAndAdamW() {
    List<SftSample> samples = new ArrayList<>();
    Rng rng = new Rng(1);
    for (int i = 0; i < 1; i++) {
      int[] ids = new int[12];
      for (int j = 0; j < ids.length; j++) ids[j] = rng.nextInt(64);
      samples.add(new SftSample(ids, 4, false));
    }
    OptimConfig o = OptimConfig.sftDefaults();
    try (TrainableModel m = TrainableModel.of(CausalLM.random(MICRO, DType.F32, 3, 0.1), null);
        SftTrainer t = new SftTrainer(m, samples, new SftOptions(1, 1, 1020, 0, 64, false, true), o, 5, 0)) {
      for (int i = 0; i < 20; i++) t.trainStep();
      long before = NativeMemory.liveBytes();
      for (int i = 0; i < 1000; i++) t.trainStep();
      assertEquals(before, NativeMemory.liveBytes(), "native memory grew over 1,000 SFT steps");
    }
  }

  @Test
  @SuppressWarnings("try")
  void grpoUpdatesOnLoraWithReferenceAndEntropy() {
    CausalLM base = CausalLM.random(MICRO, DType.F32, 4, 0.1);
    Lora.apply(base, new LoraConfig(2, 4, 0.1, false, List.of("q_proj", "v_proj", "down_proj")), new Rng(2));
    try (TrainableModel m = TrainableModel.of(base, new LoraConfig(2, 4, 0.1, false, List.of("q_proj", "v_proj", "down_proj")));
        AdamW opt = new AdamW(List.of(new ParamGroup("all", m.optimParams(), 1e-3, 0.01)))) {
      ResponseBatch batch = ResponseBatch.of(List.of(new int[] {1, 2, 3, 4}, new int[] {5, 6}), List.of(new int[] {7, 8, 9}, new int[] {10, 11, 12, 13}), 0);
      GrpoLoss loss = new GrpoLoss(0.2, 1e-3, 10, 0.0, LossAggregation.TOKEN_MEAN);
      Runnable step = () -> {
        try (TensorScope scope = TensorScope.open()) {
          Tensor ref;
          Lora.setEnabled(base, false);
          try (var g = dev.rmr1.autograd.Grad.disabled()) {
            ref = batch.score(base, 1.0, false, false).logProbs().data();
          } finally {
            Lora.setEnabled(base, true);
          }
          ResponseBatch.Scores s = batch.score(base, 1.0, true, false);
          Tensor mask = batch.mask(Device.CPU, DType.F32);
          Var l = loss.compute(s.logProbs(), s.logProbs().data().sub(0.05), ref, Tensor.of(new float[] {1f, -1f}, 2), mask, s.entropy(),
              AggregationTotals.of(mask, 8), 0.5).loss();
          l.backward();
          GradClip.clipGradNorm(opt.params(), 1.0);
          opt.step();
          m.clearGrads();
        }
      };
      for (int i = 0; i < 20; i++) step.run();
      long before = NativeMemory.liveBytes();
      for (int i = 0; i < 1000; i++) step.run();
      assertEquals(before, NativeMemory.liveBytes(), "native memory grew over 1,000 GRPO updates");
    }
  }
}

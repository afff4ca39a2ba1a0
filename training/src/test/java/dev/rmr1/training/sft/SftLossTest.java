package dev.rmr1.training.sft;

import static dev.rmr1.training.TrainingFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.autograd.Var;
import dev.rmr1.models.CausalLM;
import dev.rmr1.nn.NamedParameter;
import dev.rmr1.nn.PeftNames;
import dev.rmr1.nn.optim.AdamW;
import dev.rmr1.nn.optim.ParamGroup;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import dev.rmr1.training.TrainingFixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SftLossTest {
  private static CausalLM full;

  @BeforeAll
  static void load() {
    full = TrainingFixtures.trainableTiny(DType.F64);
  }

  @AfterAll
  static void close() {
    full.close();
  }

  private static SftSample fixtureSample(SafeTensorsFile f) {
    long[] ids = f.tensor("input_ids").toLongArray();
    long[] labels = f.tensor("labels").toLongArray();
    int masked = 0;
    while (labels[masked] == -100) masked++;
    int[] asInts = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      asInts[i] = Math.toIntExact(ids[i]);
      if (i >= masked) assertEquals(ids[i], labels[i], "the fixture's labels are the ids past the prompt");
    }
    return new SftSample(asInts, masked, false);
  }

  @Test
  void fullFineTuningLossAndGradientsMatchHuggingFace() {
    try (TensorScope scope = TensorScope.open(); SafeTensorsFile f = SafeTensors.open(TrainingFixtures.path("sft_full_grads.safetensors"))) {
      SftMicroBatch mb = SftMicroBatch.of(new int[] {0}, List.of(fixtureSample(f)), 0);
      Var loss = SftLoss.of(full, mb, 1);
      assertEquals(f.tensor("loss").item(), loss.item(), 2e-6);
      loss.backward();
      int checked = 0;
      for (NamedParameter p : full.trainableParameters()) {
        assertClose("grad " + p.name(), f.tensor("grad." + p.name()), p.grad(), 1e-4, 1e-6);
        checked++;
      }
      assertEquals(f.names().stream().filter(n -> n.startsWith("grad.")).count(), checked, "every parameter's gradient was compared");
    } finally {
      full.clearGrads();
    }
  }

  @Test
  void loraLossGradientsAndOneAdamWStepMatchPeft() {
    try (CausalLM m = TrainingFixtures.tinyWithAdapter(DType.F64); TensorScope scope = TensorScope.open();
        SafeTensorsFile f = SafeTensors.open(TrainingFixtures.path("lora_grads_adamw.safetensors"))) {
      TrainableModel tm = TrainableModel.of(m, TrainingFixtures.TINY_LORA);
      assertEquals(2 * 7 * 2, tm.parameters().size());
      SftSample sample;
      try (SafeTensorsFile s = SafeTensors.open(TrainingFixtures.path("sft_full_grads.safetensors"))) {
        sample = fixtureSample(s);
      }
      Var loss = SftLoss.of(m, SftMicroBatch.of(new int[] {0}, List.of(sample), 0), 1);
      assertEquals(f.tensor("loss").item(), loss.item(), 2e-6);
      loss.backward();
      for (NamedParameter p : tm.parameters())
        assertClose("grad " + p.name(), f.tensor("grad." + PeftNames.toInMemoryName(p.name(), "default")), p.grad(), 1e-4, 1e-6);
      try (AdamW opt = new AdamW(List.of(new ParamGroup("all", tm.optimParams(), 1e-2, 0.01)))) {
        opt.step();
      }
      for (NamedParameter p : tm.parameters())
        assertClose("after AdamW " + p.name(), f.tensor("after_adamw." + PeftNames.toInMemoryName(p.name(), "default")), p.value(), 1e-5, 1e-6);
    }
  }

  /** The micro-batch loss of right-padded rows is Hugging Face's labels= loss of the padded batch, divided by k. */
  @Test
  void paddedMicroBatchEqualsTheCausalLmLoss() {
    Rng rng = new Rng(11);
    for (int trial = 0; trial < 4; trial++) {
      int batch = 1 + rng.nextInt(3), k = 1 + rng.nextInt(4);
      List<SftSample> samples = new ArrayList<>();
      for (int b = 0; b < batch; b++) {
        int len = 2 + rng.nextInt(12);
        int[] ids = new int[len];
        for (int i = 0; i < len; i++) ids[i] = rng.nextInt(320);
        samples.add(new SftSample(ids, rng.nextInt(len - 1), false));
      }
      SftMicroBatch mb = SftMicroBatch.of(new int[batch], samples, 7);
      int t = mb.length();
      long[] labels = new long[batch * t];
      for (int b = 0; b < batch; b++) {
        labels[b * t] = -100;
        for (int i = 1; i < t; i++) labels[b * t + i] = mb.targets()[b][i - 1];
      }
      try (TensorScope scope = TensorScope.open()) {
        double expected = full.loss(mb.idsTensor(Device.CPU), Tensor.ofLongs(labels, batch, t)).item() / k;
        assertEquals(expected, SftLoss.of(full, mb, k).item(), 1e-12, "trial " + trial);
      }
    }
  }
}

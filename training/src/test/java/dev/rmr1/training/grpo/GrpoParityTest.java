package dev.rmr1.training.grpo;

import static dev.rmr1.training.TrainingFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.models.CausalLM;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.NamedParameter;
import dev.rmr1.nn.PeftNames;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import dev.rmr1.training.TrainingFixtures;
import dev.rmr1.training.config.LossAggregation;
import dev.rmr1.training.sft.TrainableModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One GRPO step on tiny-qwen2-a + LoRA against PEFT/transformers (shared/fixtures/grpo_refs.safetensors). */
class GrpoParityTest {
  /** Compares (N, T) values where mask is 1. */
  private static void assertMaskedClose(String what, Tensor expected, Tensor actual, double[] mask, double tol) {
    double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
    for (int i = 0; i < mask.length; i++)
      if (mask[i] != 0) assertEquals(e[i], a[i], tol * (1 + Math.abs(e[i])), what + " element " + i);
  }

  @Test
  @SuppressWarnings("try")
  void logProbsLossesAndLoraGradientsMatchPeft() throws Exception {
    try (CausalLM m = TrainingFixtures.tinyWithAdapter(DType.F64); TensorScope scope = TensorScope.open();
        SafeTensorsFile f = SafeTensors.open(TrainingFixtures.path("grpo_refs.safetensors"))) {
      TrainableModel tm = TrainableModel.of(m, TrainingFixtures.TINY_LORA);
      int[] prompt = Arrays.stream(f.tensor("prompt").toLongArray()).mapToInt(Math::toIntExact).toArray();
      long[] comp = f.tensor("completions").toLongArray();
      double[] maskValues = f.tensor("mask").toDoubleArray();
      List<int[]> prompts = new ArrayList<>(), responses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        int len = 0;
        while (len < 9 && maskValues[i * 9 + len] == 1) len++;
        int[] r = new int[len];
        for (int j = 0; j < len; j++) r[j] = Math.toIntExact(comp[i * 9 + j]);
        prompts.add(prompt);
        responses.add(r);
      }
      ResponseBatch batch = ResponseBatch.of(prompts, responses, 0);
      assertEquals(9, batch.responseLength());
      Tensor mask = batch.mask(Device.CPU, DType.F64);
      assertArrayEquals(maskValues, mask.toDoubleArray());

      // The fixture's policy is the adapter after the AdamW step of lora_grads_adamw (found by comparing log-probs; the
      // fixture README does not say so): with the adapter of tiny-qwen2-a-lora the policy log-probs differ.
      try (SafeTensorsFile la = SafeTensors.open(TrainingFixtures.path("lora_grads_adamw.safetensors"))) {
        java.util.Map<String, Tensor> after = new java.util.HashMap<>();
        for (String k : la.names())
          if (k.startsWith("after_adamw.")) after.put(PeftNames.fromPeftName(k.substring("after_adamw.".length())), la.tensor(k));
        assertEquals(List.of(), m.loadStateDict(after, false).unexpected());
        assertEquals(tm.parameters().size(), after.size());
      }
      ResponseBatch.Scores ref;
      try (AutoCloseable base = Lora.disabled(m); var noGrad = dev.rmr1.autograd.Grad.disabled()) {
        ref = batch.score(m, 1.0, false, false);
      }
      assertMaskedClose("ref log-probs", f.tensor("ref_logps"), ref.logProbs().data(), maskValues, 1e-5);

      double[] rewards = f.tensor("rewards").toDoubleArray();
      Tensor adv = Tensor.of(Device.CPU, DType.F64, dev.rmr1.training.reward.GrpoAdvantages.computeContiguous(rewards, 4, true), 4);
      Tensor old = f.tensor("old_logps").to(DType.F64);
      for (var mode : List.of(LossAggregation.TOKEN_MEAN, LossAggregation.SEQ_MEAN_TOKEN_MEAN)) {
        String key = mode == LossAggregation.TOKEN_MEAN ? "token_mean" : "seq_mean_token_mean";
        ResponseBatch.Scores policy = batch.score(m, 1.0, true, false);
        assertMaskedClose("policy log-probs", f.tensor("policy_logps"), policy.logProbs().data(), maskValues, 1e-5);
        GrpoLoss.Result r = new GrpoLoss(0.2, 0.04, 10.0, 0.0, mode).compute(policy.logProbs(), old, ref.logProbs().data(), adv, mask,
            policy.entropy(), AggregationTotals.of(mask, 9), 1.0);
        assertEquals(f.tensor("loss_" + key).item(), r.loss().item(), 2e-6, key);
        assertTrue(r.entropy() > 0, "entropy is logged");
        r.loss().backward();
        for (NamedParameter p : tm.parameters())
          assertClose(key + " grad " + p.name(), f.tensor("grad_" + key + "." + PeftNames.toInMemoryName(p.name(), "default")), p.grad(), 1e-4,
              1e-6);
        tm.clearGrads();
      }
    }
  }
}

package dev.rmr1.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.autograd.Grad;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.Parameter;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Merging the PEFT fixture adapter into tiny-qwen2-a loaded zero-copy: the base weights are
 * read-only views of the mapped model.safetensors, so the merge must leave them untouched, give
 * the adapted logits, and unmerge back to the file's exact bits.
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class LoraMergeTest {
  private static double[] logits(CausalLM m, Tensor ids) {
    try (TensorScope s = TensorScope.open(); Grad.Guard g = Grad.disabled()) {
      return m.forward(ids.view(1, ids.size(0))).data().toDoubleArray();
    }
  }

  @Test
  void mergeIntoZeroCopyCheckpointGivesAdaptedLogitsAndUnmergeRestoresTheFileBits() {
    try (CausalLM model = CausalLM.load(Fixtures.tinyQwen2(), LoadOptions.inference());
        SafeTensorsFile file = SafeTensors.open(Fixtures.tinyQwen2().resolve("model.safetensors"));
        SafeTensorsFile ref = SafeTensors.open(Fixtures.tinyQwen2().resolve("reference_logits.safetensors"));
        TensorScope s = TensorScope.open()) {
      Tensor ids = ref.tensor("input_ids_1");
      double[] base = logits(model, ids);
      var adapted = PeftAdapter.load(model, Fixtures.path("tiny-qwen2-a-lora"));
      assertEquals(14, adapted.size());
      double[] withBranch = logits(model, ids);
      assertTrue(Fixtures.relativeError(withBranch, base) > 1e-3, "the fixture adapter changes the logits");

      Map<String, Tensor> mapped = new LinkedHashMap<>();
      for (String m : adapted) mapped.put(m + ".weight", model.parameter(m + ".weight").value());
      Lora.merge(model);
      for (var e : mapped.entrySet()) {
        Parameter p = model.parameter(e.getKey());
        assertNotSame(e.getValue(), p.value(), e.getKey() + " is a new merged tensor");
        assertEquals(DType.F32, p.value().dtype(), e.getKey());
      }
      double[] merged = logits(model, ids);
      assertTrue(Fixtures.relativeError(merged, withBranch) < 1e-5, "merged vs branch: " + Fixtures.relativeError(merged, withBranch));

      Lora.unmerge(model);
      for (var e : mapped.entrySet()) {
        Parameter p = model.parameter(e.getKey());
        assertSame(e.getValue(), p.value(), e.getKey() + " is the mapped tensor again");
        assertArrayEquals(file.tensor(e.getKey()).toFloatArray(), p.value().toFloatArray(), e.getKey() + " bit-identical to the file");
      }
      assertArrayEquals(withBranch, logits(model, ids), 0, "unmerged: the branch again, as before the merge");
      try (Lora.Guard off = Lora.disabled(model)) {
        assertArrayEquals(base, logits(model, ids), 0, "adapters off: exactly the base model");
      }
    }
  }
}

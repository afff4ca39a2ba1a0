package dev.rmr1.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.autograd.Grad;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What we write, as Hugging Face reads it. {@code hf-export/} holds directories our own code wrote
 * ({@code ./rmr1 demo}'s model: ModelSaver, tied embeddings, v4 config.json; {@code ./rmr1 sft}'s
 * merged LoRA model and its PEFT adapter) and {@code hf_logits.safetensors}: the F64 logits that
 * transformers 5.17 (and PEFT 0.21 for the adapter on the demo model) computed from those files
 * on the GPU machine ({@code scripts/gpu/hf_check.py}, run by {@code scripts/gpu-check.sh}).
 * Loading the same files ourselves must give the same logits: a writer that dropped, renamed,
 * transposed or mis-tied a tensor, or a config field transformers reads differently, would show here.
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class HfReadBackTest {
  private static Path dir(String name) throws URISyntaxException {
    return Path.of(HfReadBackTest.class.getResource("hf-export/" + name).toURI());
  }

  private static double[] logits(CausalLM m, Tensor ids) {
    try (TensorScope s = TensorScope.open(); Grad.Guard g = Grad.disabled()) {
      return m.forward(ids.view(1, ids.size(0))).data().toDoubleArray();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo-model", "merged-model", "adapter"})
  void ourLogitsEqualTransformersLogitsOfTheFilesWeWrote(String name) throws Exception {
    try (SafeTensorsFile hf = SafeTensors.open(dir("hf_logits.safetensors").toFile().toPath()); TensorScope s = TensorScope.open()) {
      Tensor ids = hf.tensor("input_ids");
      boolean adapter = name.equals("adapter");
      try (CausalLM model = CausalLM.load(dir(adapter ? "demo-model" : name), LoadOptions.inference().withDtype(DType.F64))) {
        if (adapter) assertEquals(14, PeftAdapter.load(model, dir("adapter")).size(), "2 layers x 7 adapted projections");
        double[] ours = logits(model, ids);
        Tensor theirs = hf.tensor(adapter ? "peft_adapter" : name.replace('-', '_')); // (T, V)
        assertArrayEquals(new int[] {ids.size(0), model.config().vocabSize()}, theirs.shape());
        double err = Fixtures.relativeError(ours, theirs.toDoubleArray());
        // transformers keeps RMSNorm and the rotary tables in F32 in a float64 model: its logits are
        // good to a few 1e-7 (measured: 0.7-1.1e-7), as in CausalLMParityTest; a wrong tensor is O(1)
        assertTrue(err < 1e-6, name + ": relative error " + err + " against transformers");
      }
    }
  }
}

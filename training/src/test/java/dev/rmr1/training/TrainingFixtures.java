package dev.rmr1.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.LoraConfig;
import dev.rmr1.nn.PeftNames;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The Hugging Face reference fixtures copied from shared/fixtures (see its README) into the test resources. */
public final class TrainingFixtures {
  /** The adapter of tiny-qwen2-a-lora: r 4, alpha 8, all seven linear layers. */
  public static final LoraConfig TINY_LORA = new LoraConfig(4, 8, 0, false,
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"));

  private TrainingFixtures() {}

  public static Path path(String name) {
    try {
      return Path.of(TrainingFixtures.class.getResource("/dev/rmr1/training/fixtures/" + name).toURI());
    } catch (Exception e) {
      throw new IllegalStateException("test fixture " + name + " is missing", e);
    }
  }

  public static Path tinyModel() {
    return path("tiny-qwen2-a");
  }

  /** tiny-qwen2-a with trainable weights in {@code dtype}. */
  public static CausalLM trainableTiny(DType dtype) {
    return CausalLM.load(tinyModel(), LoadOptions.training().withDtype(dtype));
  }

  /** tiny-qwen2-a frozen in {@code dtype} with the tiny-qwen2-a-lora adapter attached and loaded. */
  @SuppressWarnings("try")
  public static CausalLM tinyWithAdapter(DType dtype) {
    CausalLM m = CausalLM.load(tinyModel(), LoadOptions.inference().withDtype(dtype));
    Lora.apply(m, TINY_LORA, new Rng(0));
    try (SafeTensorsFile f = SafeTensors.open(path("tiny-qwen2-a-lora/adapter_model.safetensors")); TensorScope scope = TensorScope.open()) {
      Map<String, Tensor> values = new HashMap<>();
      for (String k : f.names()) values.put(PeftNames.fromPeftName(k), f.tensor(k));
      var report = m.loadStateDict(values, false);
      assertTrue(report.unexpected().isEmpty(), "unexpected adapter keys " + report.unexpected());
      assertEquals(Lora.adapterParameters(m).size(), values.size());
    }
    return m;
  }

  /** Asserts |a - e| <= atol + rtol |e| elementwise. */
  public static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
    double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
    assertEquals(e.length, a.length, what + ": element count");
    for (int i = 0; i < e.length; i++)
      if (!(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]))) fail(what + " element " + i + ": expected " + e[i] + ", got " + a[i]);
  }
}

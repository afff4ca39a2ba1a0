package dev.rmr1.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One {@code torch.optim.AdamW} step on the tiny-qwen2-a LoRA parameters (shared/fixtures README:
 * lr 1e-2, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01, one group). Initial values come from
 * the PEFT adapter file (keys without {@code .default}, stored F64); gradients and expected values
 * from {@code lora_grads_adamw.safetensors} (keys {@code grad.<peft name>} and
 * {@code after_adamw.<peft name>}, with {@code .default}, F32).
 */
class AdamWFixtureTest {
  private static final String ADAPTER = "/fixtures/tiny-qwen2-a-lora/adapter_model.safetensors";
  private static final String REFS = "/fixtures/lora_grads_adamw.safetensors";

  /** PEFT's in-memory name of an adapter-file key: {@code ...lora_A.weight} becomes {@code ...lora_A.default.weight}. */
  private static String peftName(String adapterKey) {
    if (!adapterKey.endsWith(".weight")) throw new IllegalArgumentException("unexpected adapter key " + adapterKey);
    return adapterKey.substring(0, adapterKey.length() - ".weight".length()) + ".default.weight";
  }

  /**
   * Runs the step in {@code dtype} and returns, per parameter, the largest |got - expected| divided
   * by {@code scale(expected element, expected tensor)}.
   */
  private static double worst(DType dtype, boolean relativeToTensorMax) throws IOException {
    Map<String, MiniSafetensors.Entry> adapter = MiniSafetensors.readResource(ADAPTER), refs = MiniSafetensors.readResource(REFS);
    assertEquals(28, adapter.size(), "2 layers x 7 target modules x (A, B)");
    assertEquals(2 * 28 + 1, refs.size(), "grad.* and after_adamw.* for each LoRA parameter, plus loss");
    List<TestParam> params = new ArrayList<>();
    double worst = 0;
    try {
      for (var e : adapter.entrySet()) {
        String name = peftName(e.getKey());
        MiniSafetensors.Entry grad = refs.get("grad." + name);
        assertTrue(grad != null, "no gradient for " + name);
        assertArrayEquals(e.getValue().shape(), grad.shape(), name);
        TestParam p = new TestParam(name, Tensor.of(Device.CPU, dtype, e.getValue().values(), e.getValue().shape()));
        p.setGrad(Tensor.of(Device.CPU, dtype, grad.values(), grad.shape()));
        params.add(p);
      }
      try (AdamW opt = new AdamW(List.of(new ParamGroup("lora", params, 1e-2, 0.01)), 0.9, 0.999, 1e-8)) {
        opt.step();
      }
      for (TestParam p : params) {
        double[] want = refs.get("after_adamw." + p.name()).values(), got = p.value().toDoubleArray();
        double tensorMax = OptimTesting.maxAbs(want);
        for (int i = 0; i < want.length; i++) {
          double scale = relativeToTensorMax ? tensorMax : Math.abs(want[i]);
          worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
        }
      }
    } finally {
      params.forEach(TestParam::close);
    }
    return worst;
  }

  /** The fixture was computed from F64 parameters; in F64 every element matches to 1e-6 relative (about 6e-8 seen). */
  @Test
  void f64StepMatchesTorchElementwise() throws IOException {
    double w = worst(DType.F64, false);
    assertTrue(w <= 1e-6, "worst relative error " + w);
  }

  /**
   * In F32 (the training dtype) the new values are within an ulp or two, but where decay and update
   * nearly cancel an element is small and its own relative error large, so the error is measured
   * against the tensor's largest value.
   */
  @Test
  void f32StepMatchesTorchRelativeToTensorScale() throws IOException {
    double w = worst(DType.F32, true);
    assertTrue(w <= 1e-6, "worst error relative to the tensor's max " + w);
  }
}

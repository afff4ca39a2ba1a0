package dev.rmr1.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.autograd.Grad;
import dev.rmr1.autograd.Var;
import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.models.generate.Generator;
import dev.rmr1.models.generate.GenerationOptions;
import dev.rmr1.models.generate.GenerationRequest;
import dev.rmr1.models.generate.SamplingParams;
import dev.rmr1.nn.Parameter;
import dev.rmr1.nn.optim.AdamW;
import dev.rmr1.nn.optim.ParamGroup;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole model on a device against the same model on the CPU: tiny-qwen2-a (a transformers
 * Qwen2ForCausalLM, test resource copied from the shared fixtures) gives Hugging Face's logits,
 * the same causal-LM loss and parameter gradients, the same greedy continuation through the KV
 * cache, and the same losses over a few SFT steps (forward, backward, AdamW).
 */
abstract class ModelContract {
  abstract Device device();

  /** Skips (with the reason) when the device cannot be used. */
  void requireDevice() {}

  @BeforeEach
  void available() {
    requireDevice();
  }

  static Path tinyQwen2() {
    try {
      return Path.of(ModelContract.class.getResource("tiny-qwen2-a").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** max |a - b| / max |b|: the error relative to the reference's scale. */
  static double relativeError(Tensor actual, Tensor expected) {
    double[] a = actual.toDoubleArray(), e = expected.toDoubleArray();
    assertEquals(e.length, a.length);
    double diff = 0, scale = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - e[i]));
      scale = Math.max(scale, Math.abs(e[i]));
    }
    return scale == 0 ? diff : diff / scale;
  }

  @Test
  void logitsMatchTransformersAndTheCpu() {
    try (CausalLM gpu = CausalLM.load(tinyQwen2(), LoadOptions.inference().withDevice(device()));
        CausalLM cpu = CausalLM.load(tinyQwen2()); SafeTensorsFile ref = SafeTensors.open(tinyQwen2().resolve("reference_logits.safetensors"));
        TensorScope s = TensorScope.open(); Grad.Guard g = Grad.disabled()) {
      Tensor ids = ref.tensor("input_ids_1").reshape(1, -1);
      Tensor logits = gpu.forward(ids).data();
      assertEquals(device(), logits.device());
      Tensor host = logits.to(Device.CPU).reshape(ids.size(1), -1);
      assertTrue(relativeError(host, ref.tensor("logits_1")) < 1e-4, "against transformers: " + relativeError(host, ref.tensor("logits_1")));
      Tensor onCpu = cpu.forward(ids).data().reshape(ids.size(1), -1);
      assertTrue(relativeError(host, onCpu) < 1e-5, "against the CPU: " + relativeError(host, onCpu));
    }
  }

  @Test
  void greedyGenerationThroughSequenceCachesMatchesTransformers() {
    try (CausalLM gpu = CausalLM.load(tinyQwen2(), LoadOptions.inference().withDevice(device()));
        SafeTensorsFile ref = SafeTensors.open(tinyQwen2().resolve("reference_logits.safetensors"))) {
      int[] prompt = ints(ref.tensor("input_ids_2")), expected = ints(ref.tensor("greedy_12"));
      var result = new Generator(gpu).generate(List.of(new GenerationRequest(prompt, SamplingParams.GREEDY, 0)), GenerationOptions.of(12));
      assertArrayEquals(expected, result.generations().get(0).tokens());
    }
  }

  static int[] ints(Tensor t) {
    return java.util.Arrays.stream(t.toLongArray()).mapToInt(Math::toIntExact).toArray();
  }

  /**
   * A batch of random ids (B, T) and labels with the first positions ignored (-100), on the CPU.
   * The tests hand the device model device copies: CausalLM.loss moves ids to the model's device
   * but not labels (its LM-head cross-entropy then gathers across devices).
   */
  static Tensor[] batch(long seed, int b, int t, int vocab) {
    Rng rng = new Rng(seed);
    long[] ids = new long[b * t], labels = new long[b * t];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (long) (rng.nextDouble() * vocab);
      labels[i] = i % t < 3 ? -100 : ids[i];
    }
    return new Tensor[] {Tensor.ofLongs(ids, b, t), Tensor.ofLongs(labels, b, t)};
  }

  @Test
  void lossAndEveryGradientMatchTheCpu() {
    try (CausalLM gpu = CausalLM.load(tinyQwen2(), LoadOptions.training().withDevice(device()));
        CausalLM cpu = CausalLM.load(tinyQwen2(), LoadOptions.training()); TensorScope s = TensorScope.open()) {
      Tensor[] data = batch(7, 2, 17, cpu.config().vocabSize());
      Var lg = gpu.loss(data[0].to(device()), data[1].to(device())), lc = cpu.loss(data[0], data[1]);
      assertEquals(lc.item(), lg.item(), 1e-5 * Math.abs(lc.item()), "loss");
      lg.backward();
      lc.backward();
      Map<String, Parameter> want = cpu.namedParameters(), got = gpu.namedParameters();
      assertEquals(want.keySet(), got.keySet());
      for (var e : want.entrySet()) {
        Tensor g = got.get(e.getKey()).grad();
        assertEquals(device(), g.device(), e.getKey());
        double err = relativeError(g.to(Device.CPU), e.getValue().grad());
        assertTrue(err < 1e-4, e.getKey() + ": relative error " + err);
      }
      gpu.clearGrads();
      cpu.clearGrads();
    }
  }

  @Test
  void sftStepsGiveTheSameLosses() {
    try (CausalLM gpu = CausalLM.load(tinyQwen2(), LoadOptions.training().withDevice(device()));
        CausalLM cpu = CausalLM.load(tinyQwen2(), LoadOptions.training());
        AdamW og = new AdamW(List.of(new ParamGroup("all", gpu.trainableParameters(), 3e-3, 0.01)));
        AdamW oc = new AdamW(List.of(new ParamGroup("all", cpu.trainableParameters(), 3e-3, 0.01)));
        TensorScope outer = TensorScope.open()) {
      Map<String, Tensor> before = new java.util.HashMap<>();
      cpu.namedParameters().forEach((name, p) -> before.put(name, p.value().copy()));
      double first = 0, last = 0;
      for (int step = 0; step < 4; step++) {
        try (TensorScope s = TensorScope.open()) {
          Tensor[] data = batch(100, 2, 24, cpu.config().vocabSize()); // the same batch: the loss must fall
          Var lg = gpu.loss(data[0].to(device()), data[1].to(device())), lc = cpu.loss(data[0], data[1]);
          assertEquals(lc.item(), lg.item(), 1e-4 * Math.abs(lc.item()), "loss at step " + step);
          lg.backward();
          lc.backward();
          og.step();
          oc.step();
          gpu.clearGrads();
          cpu.clearGrads();
          if (step == 0) first = lc.item();
          last = lc.item();
        }
      }
      assertTrue(last < first, "SFT steps lower the loss: " + first + " -> " + last);
      // The parameters moved alike: sum |gpu - cpu| against sum |cpu - before|. A sum, not a maximum:
      // Adam moves an element by about lr whatever its gradient's size, so a gradient within rounding
      // of zero may step either way on either device.
      double diff = 0, moved = 0;
      for (var e : cpu.namedParameters().entrySet()) {
        double[] c = e.getValue().value().toDoubleArray(), g = gpu.parameter(e.getKey()).value().to(Device.CPU).toDoubleArray();
        double[] b = before.get(e.getKey()).toDoubleArray();
        for (int i = 0; i < c.length; i++) {
          diff += Math.abs(g[i] - c[i]);
          moved += Math.abs(c[i] - b[i]);
        }
      }
      assertTrue(moved > 0 && diff < 1e-3 * moved, "parameters after 4 steps: sum |gpu - cpu| " + diff + " vs sum of the updates " + moved);
    }
  }
}

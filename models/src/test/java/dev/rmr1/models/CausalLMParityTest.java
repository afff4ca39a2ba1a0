package dev.rmr1.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.autograd.Grad;
import dev.rmr1.autograd.Var;
import dev.rmr1.models.generate.Sampler;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tiny-qwen2-a against Hugging Face Qwen2ForCausalLM (reference_logits.safetensors, computed in
 * float64 from the float32 weights and stored as float32): full-sequence logits, the KV-cache path,
 * and greedy decoding.
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class CausalLMParityTest {
  private static SafeTensorsFile reference() {
    return SafeTensors.open(Fixtures.tinyQwen2().resolve("reference_logits.safetensors"));
  }

  private static double fullForwardError(CausalLM model, String ids, String logits) {
    try (TensorScope s = TensorScope.open(); SafeTensorsFile ref = reference(); Grad.Guard g = Grad.disabled()) {
      Tensor in = ref.tensor(ids);
      Tensor batch = in.view(1, in.size(0));
      Var out = model.forward(batch);
      Tensor expected = ref.tensor(logits);
      assertArrayEquals(new int[] {1, expected.size(0), expected.size(1)}, out.shape());
      return Fixtures.relativeError(out.data(), expected);
    }
  }

  @Test
  void f32LogitsMatchTransformers() {
    try (CausalLM model = CausalLM.load(Fixtures.tinyQwen2())) {
      assertEquals(DType.F32, model.computeDtype());
      double e1 = fullForwardError(model, "input_ids_1", "logits_1"), e2 = fullForwardError(model, "input_ids_2", "logits_2");
      assertTrue(e1 < 1e-4 && e2 < 1e-4, "relative errors " + e1 + ", " + e2);
    }
  }

  @Test
  void f64LogitsMatchTighter() {
    try (CausalLM model = CausalLM.load(Fixtures.tinyQwen2(), LoadOptions.inference().withDtype(DType.F64))) {
      assertEquals(DType.F64, model.computeDtype());
      double e1 = fullForwardError(model, "input_ids_1", "logits_1"), e2 = fullForwardError(model, "input_ids_2", "logits_2");
      // transformers computes RMSNorm and the rotary tables in float32 even in a float64 model, so the
      // reference itself is only good to a few 1e-7 (measured here: 3.5e-7; F32: 3.8e-7)
      assertTrue(e1 < 1e-6 && e2 < 1e-6, "relative errors " + e1 + ", " + e2);
    }
  }

  @Test
  void gradModeForwardMatchesNoGradForward() {
    try (CausalLM model = CausalLM.load(Fixtures.tinyQwen2(), LoadOptions.training()); TensorScope s = TensorScope.open();
        SafeTensorsFile ref = reference()) {
      Tensor ids = ref.tensor("input_ids_1").view(1, 24);
      Var withGraph = model.forward(ids);
      assertTrue(withGraph.requiresGrad());
      double e = Fixtures.relativeError(withGraph.data(), ref.tensor("logits_1"));
      assertTrue(e < 1e-4, "relative error " + e);
    }
  }

  @Test
  void kvCachePathEqualsFullPath() {
    for (DType dt : new DType[] {DType.F32, DType.F64}) {
      try (CausalLM model = CausalLM.load(Fixtures.tinyQwen2(), LoadOptions.inference().withDtype(dt)); TensorScope s = TensorScope.open();
          SafeTensorsFile ref = reference(); Grad.Guard g = Grad.disabled()) {
        int[] ids = Fixtures.ints(ref.tensor("input_ids_1"));
        double[] full = model.forward(Tensor.ofLongs(Arrays.stream(ids).asLongStream().toArray(), 1, ids.length)).data().toDoubleArray();
        int v = model.config().vocabSize();
        double tol = dt == DType.F64 ? 1e-12 : 1e-5;
        // prefill 10 positions at once, then one token at a time
        try (SequenceCache cache = model.newCache()) {
          Tensor prefill = model.step(List.of(cache), List.of(Arrays.copyOf(ids, 10)), true);
          assertTrue(Fixtures.relativeError(prefill.toDoubleArray(), Arrays.copyOf(full, 10 * v)) < tol);
          for (int t = 10; t < ids.length; t++) {
            Tensor row = model.step(List.of(cache), List.of(new int[] {ids[t]}), false);
            double e = Fixtures.relativeError(row.toDoubleArray(), Arrays.copyOfRange(full, t * v, (t + 1) * v));
            assertTrue(e < tol, dt + " position " + t + ": relative error " + e);
          }
          assertEquals(ids.length, cache.length());
        }
      }
    }
  }

  @Test
  void cacheGrowthKeepsThePastPositions() {
    try (CausalLM model = CausalLM.load(Fixtures.tinyQwen2()); TensorScope s = TensorScope.open(); Grad.Guard g = Grad.disabled()) {
      int n = 100, v = model.config().vocabSize();
      int[] ids = new int[n];
      for (int i = 0; i < n; i++) ids[i] = (i * 37 + 11) % v;
      double[] full = model.forward(Tensor.ofLongs(Arrays.stream(ids).asLongStream().toArray(), 1, n)).data().toDoubleArray();
      try (SequenceCache cache = model.newCache()) {
        model.step(List.of(cache), List.of(Arrays.copyOf(ids, 60)), false);
        int first = cache.capacity();
        for (int t = 60; t < n; t++) {
          double[] row = model.step(List.of(cache), List.of(new int[] {ids[t]}), false).toDoubleArray();
          assertTrue(Fixtures.relativeError(row, Arrays.copyOfRange(full, t * v, (t + 1) * v)) < 1e-5, "position " + t);
        }
        assertTrue(cache.capacity() > first, "the cache grew (" + first + " -> " + cache.capacity() + ")");
        try (SequenceCache copy = cache.fork()) {
          assertEquals(n, copy.length());
        }
      }
    }
  }

  @Test
  void packedSequencesOfDifferentLengthsMatchSeparateRuns() {
    try (CausalLM model = CausalLM.load(Fixtures.tinyQwen2()); TensorScope s = TensorScope.open(); SafeTensorsFile ref = reference()) {
      int[] a = Fixtures.ints(ref.tensor("input_ids_1")), b = Fixtures.ints(ref.tensor("input_ids_2"));
      int v = model.config().vocabSize();
      try (SequenceCache ca = model.newCache(); SequenceCache cb = model.newCache()) {
        // a: 20 positions prefilled, b: 11; then both advance by one token in one packed step
        Tensor first = model.step(List.of(ca, cb), List.of(Arrays.copyOf(a, 20), b), true);
        assertArrayEquals(new int[] {31, v}, first.shape());
        Tensor next = model.step(List.of(ca, cb), List.of(new int[] {a[20]}, new int[] {a[0]}), false);
        double[] la = ref.tensor("logits_1").toDoubleArray(), lb = ref.tensor("logits_2").toDoubleArray();
        double[] got = first.toDoubleArray();
        assertTrue(Fixtures.relativeError(Arrays.copyOf(got, 20 * v), Arrays.copyOf(la, 20 * v)) < 1e-4);
        assertTrue(Fixtures.relativeError(Arrays.copyOfRange(got, 20 * v, 31 * v), lb) < 1e-4);
        double[] n = next.toDoubleArray();
        assertTrue(Fixtures.relativeError(Arrays.copyOf(n, v), Arrays.copyOfRange(la, 20 * v, 21 * v)) < 1e-4);
        assertEquals(21, ca.length());
        assertEquals(12, cb.length());
      }
    }
  }

  @Test
  void greedyByFullRecomputationMatchesTransformers() {
    try (CausalLM model = CausalLM.load(Fixtures.tinyQwen2()); SafeTensorsFile ref = reference(); Grad.Guard g = Grad.disabled()) {
      List<Long> seq = new ArrayList<>();
      for (long id : ref.tensor("input_ids_2").toLongArray()) seq.add(id);
      int[] expected = Fixtures.ints(ref.tensor("greedy_12"));
      int[] got = new int[expected.length];
      for (int i = 0; i < got.length; i++) {
        try (TensorScope s = TensorScope.open()) {
          Tensor ids = Tensor.ofLongs(seq.stream().mapToLong(Long::longValue).toArray(), 1, seq.size());
          Var logits = model.forward(ids);
          float[] last = logits.data().select(1, seq.size() - 1).toFloatArray();
          got[i] = Sampler.argmax(last, 0, last.length);
          seq.add((long) got[i]);
        }
      }
      assertArrayEquals(expected, got);
    }
  }
}

package dev.rmr1.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.autograd.Grad;
import dev.rmr1.autograd.RandomState;
import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** LoRA with PEFT semantics: targets, init, forward, merge/unmerge, disabling, names, gradients. */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class LoraTest {

  /** A two-layer model with attention and MLP projections and an lm_head. */
  static ModuleTest.TinyDecoder model(DType dtype, long seed) {
    ModuleTest.TinyDecoder m = new ModuleTest.TinyDecoder(dtype);
    Rng rng = new Rng(seed);
    for (Parameter p : m.namedParameters().values()) Init.uniform(p, rng, -0.5, 0.5);
    return m;
  }

  static Var mlpOfLayer0(Module m, Var x) {
    return ((SwiGluMlp) m.namedModules().get("model.layers.0.mlp")).forward(x);
  }

  static void randomizeB(Module m, Rng rng) {
    for (LoraAdapter a : Lora.adapters(m).values()) Init.uniform(a.b().weight(), rng, -0.5, 0.5);
  }

  @Example
  void targetsNamesShapesInitAndFreezing() {
    try (ModuleTest.TinyDecoder m = model(DType.F32, 1)) {
      List<String> adapted = Lora.apply(m, new LoraConfig(4, 8, 0, false, List.of("q_proj", "v_proj")), new Rng(2));
      assertEquals(List.of("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj", "model.layers.1.self_attn.q_proj",
          "model.layers.1.self_attn.v_proj"), adapted);
      Map<String, Parameter> lora = Lora.adapterParameters(m);
      assertEquals(List.of("model.layers.0.self_attn.q_proj.lora_A.weight", "model.layers.0.self_attn.q_proj.lora_B.weight",
          "model.layers.0.self_attn.v_proj.lora_A.weight", "model.layers.0.self_attn.v_proj.lora_B.weight",
          "model.layers.1.self_attn.q_proj.lora_A.weight", "model.layers.1.self_attn.q_proj.lora_B.weight",
          "model.layers.1.self_attn.v_proj.lora_A.weight", "model.layers.1.self_attn.v_proj.lora_B.weight"), List.copyOf(lora.keySet()));
      assertArrayEquals(new int[] {4, 8}, lora.get("model.layers.0.self_attn.q_proj.lora_A.weight").shape());
      assertArrayEquals(new int[] {4, 4}, lora.get("model.layers.0.self_attn.v_proj.lora_B.weight").shape());
      // only the adapters train; A ~ U(+-1/sqrt(in)), B = 0
      assertEquals(List.copyOf(lora.keySet()), m.trainableParameters().stream().map(NamedParameter::name).toList());
      for (double a : lora.get("model.layers.0.self_attn.q_proj.lora_A.weight").value().toDoubleArray()) assertTrue(Math.abs(a) <= 1 / Math.sqrt(8));
      for (double b : lora.get("model.layers.0.self_attn.q_proj.lora_B.weight").value().toDoubleArray()) assertEquals(0, b);
      assertEquals(2.0, Lora.adapters(m).get("model.layers.0.self_attn.q_proj").scaling());
    }
  }

  @Example
  void allLinearExcludesLmHead() {
    try (ModuleTest.TinyDecoder m = model(DType.F32, 1)) {
      List<String> adapted = Lora.apply(m, new LoraConfig(2, 4, 0, true, List.of(LoraConfig.ALL_LINEAR)), new Rng(2));
      assertEquals(14, adapted.size());
      assertFalse(adapted.contains("lm_head"));
      assertTrue(adapted.contains("model.layers.1.mlp.down_proj"));
      assertEquals(4 / Math.sqrt(2), Lora.adapters(m).get("model.layers.1.mlp.down_proj").scaling(), 1e-15);
      assertThrows(IllegalArgumentException.class, () -> Lora.apply(new ModuleTest.TinyDecoder(DType.F32), new LoraConfig(2, 4, 0, false, List.of("qkv")), new Rng(1)));
    }
  }

  @Property(tries = 10)
  void forwardIsBasePlusScaledLowRankBranch(@ForAll @IntRange(min = 1, max = 3) int r, @ForAll long seed) {
    Rng rng = new Rng(seed);
    try (TensorScope s = TensorScope.open(); Linear lin = new Linear(5, 3, true, DType.F64, Device.CPU).resetParameters(rng)) {
      double[] x = new double[2 * 5];
      for (int i = 0; i < x.length; i++) x[i] = rng.nextDouble() - 0.5;
      Var xv = Var.constant(Tensor.of(x, 2, 5));
      double[] base = lin.forward(xv).data().toDoubleArray();
      Lora.apply(lin, new LoraConfig(r, 3, 0, false, List.of(LoraConfig.ALL_LINEAR)), rng);
      assertArrayEquals(base, lin.forward(xv).data().toDoubleArray(), 0, "B = 0: the adapter starts as the identity");
      randomizeB(lin, rng);
      LoraAdapter ad = lin.lora();
      double[] a = ad.a().weight().value().toDoubleArray(), b = ad.b().weight().value().toDoubleArray();
      double[] ax = Ref.linear(x, 2, 5, a, r, null), bax = Ref.linear(ax, 2, r, b, 3, null);
      double[] expected = base.clone();
      for (int i = 0; i < expected.length; i++) expected[i] += 3.0 / r * bax[i];
      assertArrayEquals(expected, lin.forward(xv).data().toDoubleArray(), 1e-12);
      ModuleGradCheck.check("lora linear", lin, lin::forward, new int[] {2, 5}, seed);
    }
  }

  @Property(tries = 5)
  void mergedEqualsUnmergedAndDisabledEqualsBase(@ForAll long seed) {
    try (TensorScope s = TensorScope.open(); ModuleTest.TinyDecoder m = model(DType.F64, seed); Grad.Guard g = Grad.disabled()) {
      Rng rng = new Rng(seed);
      Var x = Var.constant(Tensor.uniform(Device.CPU, DType.F64, rng, -1, 1, 2, 3, 8));
      double[] base = mlpOfLayer0(m, x).data().toDoubleArray();
      double[] w0 = m.parameter("model.layers.0.mlp.up_proj.weight").value().toDoubleArray();
      Lora.apply(m, new LoraConfig(3, 6, 0, false, List.of("up_proj", "down_proj", "q_proj")), rng);
      randomizeB(m, rng);
      double[] adapted = mlpOfLayer0(m, x).data().toDoubleArray();
      assertFalse(java.util.Arrays.equals(base, adapted));
      Lora.setEnabled(m, false);
      assertArrayEquals(base, mlpOfLayer0(m, x).data().toDoubleArray(), 0, "disabled adapters give exactly the base model");
      Lora.setEnabled(m, true);
      Lora.merge(m);
      assertTrue(Lora.adapters(m).values().stream().allMatch(LoraAdapter::isMerged));
      assertArrayEquals(adapted, mlpOfLayer0(m, x).data().toDoubleArray(), 1e-12, "merged == unmerged");
      Lora.unmerge(m);
      assertArrayEquals(w0, m.parameter("model.layers.0.mlp.up_proj.weight").value().toDoubleArray(), 0, "unmerge restores W exactly");
      assertArrayEquals(adapted, mlpOfLayer0(m, x).data().toDoubleArray(), 1e-12);
      try (Lora.Guard off = Lora.disabled(m)) {
        assertArrayEquals(base, mlpOfLayer0(m, x).data().toDoubleArray(), 0, "disabled adapters give exactly the base model");
      }
      assertArrayEquals(adapted, mlpOfLayer0(m, x).data().toDoubleArray(), 1e-12);
      // Lora.merged restores the state it found: unmerged adapters are unmerged again, merged ones stay merged
      try (Lora.Guard merged = Lora.merged(m)) {
        assertTrue(Lora.adapters(m).values().stream().allMatch(LoraAdapter::isMerged));
        assertArrayEquals(adapted, mlpOfLayer0(m, x).data().toDoubleArray(), 1e-12);
      }
      assertTrue(Lora.adapters(m).values().stream().noneMatch(LoraAdapter::isMerged));
      assertArrayEquals(w0, m.parameter("model.layers.0.mlp.up_proj.weight").value().toDoubleArray(), 0);
      Lora.merge(m);
      Tensor mergedW = m.parameter("model.layers.0.mlp.up_proj.weight").value();
      try (Lora.Guard merged = Lora.merged(m)) {
        assertSame(mergedW, m.parameter("model.layers.0.mlp.up_proj.weight").value(), "already merged: merged once only");
      }
      assertTrue(Lora.adapters(m).values().stream().allMatch(LoraAdapter::isMerged));
      // disabling a merged adapter unmerges it first, as PEFT does
      Lora.setEnabled(m, false);
      assertArrayEquals(base, mlpOfLayer0(m, x).data().toDoubleArray(), 0);
      assertFalse(Lora.adapters(m).values().iterator().next().isMerged());
    }
  }

  @Example
  void mergingIntoBf16KeepsTheOriginalWeight() {
    try (TensorScope s = TensorScope.open(); Linear lin = new Linear(16, 8, false, DType.BF16, Device.CPU)) {
      Rng rng = new Rng(3);
      Init.uniform(lin.weight(), rng, -1, 1);
      float[] original = lin.weight().value().toFloatArray();
      Lora.apply(lin, new LoraConfig(2, 4, 0, false, List.of(LoraConfig.ALL_LINEAR)), rng);
      randomizeB(lin, rng);
      Var x = Var.constant(Tensor.uniform(Device.CPU, DType.F32, rng, -1, 1, 3, 16));
      float[] adapted = lin.forward(x).data().toFloatArray();
      Lora.merge(lin);
      assertEquals(DType.BF16, lin.weight().value().dtype());
      // the merged weight is rounded to BF16: close to, not equal to, the unmerged output
      assertArrayEquals(adapted, lin.forward(x).data().toFloatArray(), 0.05f);
      Lora.unmerge(lin);
      assertArrayEquals(original, lin.weight().value().toFloatArray(), 0, "unmerge restores the BF16 weight exactly");
    }
  }

  /**
   * A base weight loaded zero-copy is a read-only view of a memory-mapped safetensors file: merging
   * must not write into it, the merged weight must be W + s B A (scalar reference, rounded to W's
   * dtype), and unmerging must give back the mapped tensor itself, bit for bit.
   */
  @Property(tries = 12)
  void mergeIntoAReadOnlyMappedWeightAndUnmergeExactly(@ForAll("mergeDtypes") DType dtype, @ForAll @IntRange(min = 1, max = 9) int in,
      @ForAll @IntRange(min = 1, max = 7) int out, @ForAll @IntRange(min = 1, max = 3) int r, @ForAll long seed) throws Exception {
    Rng rng = new Rng(seed);
    Path dir = Files.createTempDirectory("lora-merge");
    Path file = dir.resolve("w.safetensors");
    try (TensorScope s = TensorScope.open()) {
      SafeTensors.write(file, Map.of("w", Tensor.uniform(Device.CPU, dtype, rng, -1, 1, out, in)));
      try (SafeTensorsFile f = SafeTensors.open(file); Linear lin = new Linear(new Parameter(f.tensor("w"), false), null)) {
        Tensor mapped = lin.weight().value();
        double[] w = mapped.toDoubleArray();
        Lora.apply(lin, new LoraConfig(r, 5, 0, false, List.of(LoraConfig.ALL_LINEAR)), rng);
        randomizeB(lin, rng);
        double[] a = lin.lora().a().weight().value().toDoubleArray(), b = lin.lora().b().weight().value().toDoubleArray();
        Var x = Var.constant(Tensor.uniform(Device.CPU, dtype == DType.F64 ? DType.F64 : DType.F32, rng, -1, 1, 2, in));
        double[] adapted = lin.forward(x).data().toDoubleArray();

        Lora.merge(lin);
        Lora.merge(lin); // a second merge changes nothing
        Tensor merged = lin.weight().value();
        assertEquals(dtype, merged.dtype());
        double[] expected = new double[out * in];
        for (int o = 0; o < out; o++)
          for (int i = 0; i < in; i++) {
            double ba = 0;
            for (int k = 0; k < r; k++) ba += b[o * r + k] * a[k * in + i];
            expected[o * in + i] = w[o * in + i] + 5.0 / r * ba;
          }
        double tol = dtype == DType.F64 ? 1e-13 : dtype == DType.F32 ? 1e-5 : 0.05; // BF16: one rounding of the sum, |W'| < 8
        assertArrayEquals(expected, merged.toDoubleArray(), tol, "merged weight = W + s B A");
        assertArrayEquals(adapted, lin.forward(x).data().toDoubleArray(), dtype == DType.BF16 ? 0.3 : tol * 10, "merged forward");

        Lora.unmerge(lin);
        assertSame(mapped, lin.weight().value(), "unmerge puts the mapped tensor back");
        try (Tensor fromFile = f.tensor("w")) {
          assertArrayEquals(fromFile.toDoubleArray(), lin.weight().value().toDoubleArray(), 0, "bit-identical to the file");
        }
        assertArrayEquals(adapted, lin.forward(x).data().toDoubleArray(), 0, "unmerged forward as before the merge");
      }
    } finally {
      Files.deleteIfExists(file);
      Files.delete(dir);
    }
  }

  @Provide
  Arbitrary<DType> mergeDtypes() {
    return Arbitraries.of(DType.F32, DType.BF16, DType.F64);
  }

  @Example
  void dropoutActsOnTheBranchOnlyInTraining() {
    RandomState.seed(3);
    try (TensorScope s = TensorScope.open(); Linear lin = new Linear(6, 6, false, DType.F64, Device.CPU).resetParameters(new Rng(1))) {
      Lora.apply(lin, new LoraConfig(2, 2, 0.5, false, List.of(LoraConfig.ALL_LINEAR)), new Rng(2));
      randomizeB(lin, new Rng(4));
      Var x = Var.constant(Tensor.uniform(Device.CPU, DType.F64, new Rng(5), -1, 1, 4, 6));
      double[] t1 = lin.forward(x).data().toDoubleArray(), t2 = lin.forward(x).data().toDoubleArray();
      assertFalse(java.util.Arrays.equals(t1, t2), "training: fresh dropout masks");
      lin.eval();
      double[] e1 = lin.forward(x).data().toDoubleArray();
      assertArrayEquals(e1, lin.forward(x).data().toDoubleArray(), 0);
      // no dropout on the base path: with the branch disabled, training mode changes nothing
      lin.train(true);
      Lora.setEnabled(lin, false);
      double[] b1 = lin.forward(x).data().toDoubleArray();
      assertArrayEquals(b1, lin.forward(x).data().toDoubleArray(), 0);
    }
  }

  @Example
  void peftNameMapping() {
    String ours = "model.layers.0.self_attn.q_proj.lora_A.weight";
    assertEquals("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", PeftNames.toSavedKey(ours));
    assertEquals("base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight", PeftNames.toInMemoryName(ours, PeftNames.DEFAULT_ADAPTER));
    assertEquals(ours, PeftNames.fromPeftName(PeftNames.toSavedKey(ours)));
    assertEquals(ours, PeftNames.fromPeftName(PeftNames.toInMemoryName(ours, "default")));
    assertEquals("model.layers.1.mlp.down_proj.lora_B.weight", PeftNames.fromPeftName("base_model.model.model.layers.1.mlp.down_proj.lora_B.rl.weight"));
    assertEquals("model.layers.1.mlp.down_proj.weight", PeftNames.fromPeftName("base_model.model.model.layers.1.mlp.down_proj.base_layer.weight"));
    assertThrows(IllegalArgumentException.class, () -> PeftNames.fromPeftName("model.layers.0.self_attn.q_proj.lora_A.weight"));
    assertThrows(IllegalArgumentException.class, () -> PeftNames.toInMemoryName("model.norm.weight", "default"));
  }
}

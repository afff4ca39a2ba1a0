package dev.rmr1.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Every layer against a plain double-array computation, and gradient checks through layers in F64. */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class LayerProperties {
  private static final DType F64 = DType.F64;
  private static final Device CPU = Device.CPU;

  private static double[] random(Rng rng, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = rng.nextDouble() * 2 - 1;
    return v;
  }

  @Property(tries = 20)
  void linearMatchesReference(@ForAll @IntRange(min = 1, max = 5) int in, @ForAll @IntRange(min = 1, max = 5) int out,
      @ForAll @IntRange(min = 1, max = 3) int t, @ForAll boolean bias, @ForAll long seed) {
    Rng rng = new Rng(seed);
    try (TensorScope s = TensorScope.open(); Linear lin = new Linear(in, out, bias, F64, CPU).resetParameters(rng)) {
      double[] x = random(rng, 2 * t * in);
      double[] y = lin.forward(Var.constant(Tensor.of(x, 2, t, in))).data().toDoubleArray();
      double[] ref = Ref.linear(x, 2 * t, in, lin.weight().value().toDoubleArray(), out, bias ? lin.bias().value().toDoubleArray() : null);
      assertArrayEquals(ref, y, 1e-12);
      double bound = 1 / Math.sqrt(in);
      for (double w : lin.weight().value().toDoubleArray()) assertTrue(Math.abs(w) <= bound, "kaiming bound");
      ModuleGradCheck.check("linear", lin, lin::forward, new int[] {2, t, in}, seed);
    }
  }

  @Example
  void frozenBf16LinearComputesInF32() {
    Rng rng = new Rng(1);
    try (TensorScope s = TensorScope.open(); Linear lin = new Linear(6, 4, true, DType.BF16, CPU)) {
      Init.uniform(lin.weight(), rng, -1, 1);
      Init.uniform(lin.bias(), rng, -1, 1);
      lin.setRequiresGrad(false);
      float[] x = new float[3 * 6];
      for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() - 0.5);
      Var xv = Var.leaf(Tensor.of(x, 3, 6));
      Var y = lin.forward(xv);
      assertEquals(DType.F32, y.dtype());
      double[] xd = new double[x.length];
      for (int i = 0; i < x.length; i++) xd[i] = x[i];
      double[] ref = Ref.linear(xd, 3, 6, lin.weight().value().toDoubleArray(), 4, lin.bias().value().toDoubleArray());
      float[] got = y.data().toFloatArray();
      for (int i = 0; i < ref.length; i++) assertEquals(ref[i], got[i], 1e-5);
      y.sum().backward();
      assertEquals(DType.F32, xv.grad().dtype());
      xv.clearGrad();
    }
  }

  @Property(tries = 10)
  void embeddingLooksUpRows(@ForAll @IntRange(min = 1, max = 6) int vocab, @ForAll @IntRange(min = 1, max = 4) int dim, @ForAll long seed) {
    Rng rng = new Rng(seed);
    try (TensorScope s = TensorScope.open(); Embedding emb = new Embedding(vocab, dim, F64, CPU)) {
      Init.normal(emb.weight(), rng, 0, 1);
      long[] ids = new long[5];
      for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(vocab);
      Tensor idt = Tensor.ofLongs(ids, 5);
      double[] table = emb.weight().value().toDoubleArray(), got = emb.forward(idt).data().toDoubleArray();
      for (int i = 0; i < 5; i++)
        for (int j = 0; j < dim; j++) assertEquals(table[(int) ids[i] * dim + j], got[i * dim + j]);
      ModuleGradCheck.check("embedding", emb, x -> emb.forward(idt).mul(x), new int[] {5, dim}, seed);
    }
  }

  @Property(tries = 15)
  void rmsNormMatchesReference(@ForAll @IntRange(min = 1, max = 6) int c, @ForAll @IntRange(min = 1, max = 3) int rows, @ForAll long seed) {
    Rng rng = new Rng(seed);
    try (TensorScope s = TensorScope.open(); RMSNorm norm = new RMSNorm(c, 1e-6, F64, CPU)) {
      for (double w : norm.weight().value().toDoubleArray()) assertEquals(1.0, w, "initialised to ones");
      Init.uniform(norm.weight(), rng, 0.5, 1.5);
      double[] x = random(rng, rows * c);
      assertArrayEquals(Ref.rmsNorm(x, rows, c, norm.weight().value().toDoubleArray(), 1e-6),
          norm.forward(Var.constant(Tensor.of(x, rows, c))).data().toDoubleArray(), 1e-12);
      ModuleGradCheck.check("rmsNorm", norm, norm::forward, new int[] {rows, c}, seed);
    }
  }

  @Property(tries = 10)
  void rotaryTablesFollowHuggingFace(@ForAll @IntRange(min = 1, max = 8) int half, @ForAll @IntRange(min = 0, max = 5000) int start,
      @ForAll boolean scaled) {
    // a scaling that halves every frequency stands for rope_scaling: the tables must use its output
    double factor = scaled ? 0.5 : 1;
    RotaryTables rope = new RotaryTables(2 * half, 10000, f -> {
      double[] r = f.clone();
      for (int i = 0; i < r.length; i++) r[i] *= factor;
      return r;
    });
    try (TensorScope s = TensorScope.open()) {
      int[] positions = {start, start + 1, start + 2, 0, start};
      Tensor[] cs = rope.tables(positions, DType.F32, CPU);
      assertArrayEquals(new int[] {positions.length, 2 * half}, cs[0].shape());
      float[] c = cs[0].toFloatArray(), sn = cs[1].toFloatArray();
      for (int p = 0; p < positions.length; p++)
        for (int j = 0; j < 2 * half; j++) {
          double angle = positions[p] * factor * Math.pow(10000, -2.0 * (j % half) / (2 * half));
          // F32 angles: the error grows with the position, as in Hugging Face
          assertEquals(Math.cos(angle), c[p * 2 * half + j], 1e-6 * (1 + positions[p]));
          assertEquals(Math.sin(angle), sn[p * 2 * half + j], 1e-6 * (1 + positions[p]));
        }
      assertArrayEquals(rope.tables(3, DType.F32, CPU)[1].toFloatArray(), rope.tables(new int[] {0, 1, 2}, DType.F32, CPU)[1].toFloatArray());
    }
    assertThrows(IllegalArgumentException.class, () -> new RotaryTables(3, 10000, f -> f));
    assertThrows(IllegalArgumentException.class, () -> new RotaryTables(4, 10000, f -> new double[1]));
  }

  @Property(tries = 10)
  void swigluMatchesReference(@ForAll @IntRange(min = 1, max = 4) int hidden, @ForAll @IntRange(min = 1, max = 5) int inter, @ForAll long seed) {
    Rng rng = new Rng(seed);
    try (TensorScope s = TensorScope.open(); SwiGluMlp mlp = new SwiGluMlp(hidden, inter, F64, CPU)) {
      ModuleGradCheck.randomize(mlp, rng);
      double[] x = random(rng, 3 * hidden);
      double[] g = Ref.linear(x, 3, hidden, mlp.gateProj().weight().value().toDoubleArray(), inter, null);
      double[] u = Ref.linear(x, 3, hidden, mlp.upProj().weight().value().toDoubleArray(), inter, null);
      for (int i = 0; i < g.length; i++) g[i] = Ref.silu(g[i]) * u[i];
      double[] ref = Ref.linear(g, 3, inter, mlp.downProj().weight().value().toDoubleArray(), hidden, null);
      assertArrayEquals(ref, mlp.forward(Var.constant(Tensor.of(x, 3, hidden))).data().toDoubleArray(), 1e-12);
      ModuleGradCheck.check("swiglu", mlp, mlp::forward, new int[] {1, 3, hidden}, seed);
    }
  }

  /** Qwen2's layout (q/k/v bias only) or, with {@code full}, o_proj bias and Qwen3's q_norm/k_norm too. */
  static Attention attention(Rng rng, int hidden, int heads, int kvHeads, int d, boolean full) {
    Attention att = new Attention(hidden, heads, kvHeads, d, true, full, full, 1e-6, F64, CPU);
    ModuleGradCheck.randomize(att, rng);
    if (full) {
      Init.uniform(att.parameter("q_norm.weight"), rng, 0.5, 1.5);
      Init.uniform(att.parameter("k_norm.weight"), rng, 0.5, 1.5);
    }
    return att;
  }

  private static double[] values(Module m, String name) {
    return m.namedParameters().containsKey(name) ? m.parameter(name).value().toDoubleArray() : null;
  }

  static double[] reference(Attention a, int heads, int kvHeads, int d, double[] x, int t, int c) {
    return Ref.attention(x, t, c, heads, kvHeads, d, values(a, "q_proj.weight"), values(a, "q_proj.bias"), values(a, "k_proj.weight"),
        values(a, "k_proj.bias"), values(a, "v_proj.weight"), values(a, "v_proj.bias"), values(a, "o_proj.weight"), values(a, "o_proj.bias"),
        values(a, "q_norm.weight"), values(a, "k_norm.weight"), 1e-6, 10000);
  }

  private static RotaryTables rope(int d) {
    return new RotaryTables(d, 10000, f -> f);
  }

  @Property(tries = 10)
  void attentionMatchesReference(@ForAll @IntRange(min = 1, max = 2) int kvHeads, @ForAll @IntRange(min = 1, max = 2) int group,
      @ForAll @IntRange(min = 1, max = 5) int t, @ForAll boolean full, @ForAll long seed) {
    Rng rng = new Rng(seed);
    int d = 4, hidden = 6, heads = kvHeads * group;
    try (TensorScope s = TensorScope.open(); Attention att = attention(rng, hidden, heads, kvHeads, d, full)) {
      assertEquals(full, att.namedParameters().containsKey("o_proj.bias"));
      assertEquals(full, att.namedParameters().containsKey("k_norm.weight"));
      double[] x0 = random(rng, t * hidden), x1 = random(rng, t * hidden);
      double[] both = new double[2 * t * hidden];
      System.arraycopy(x0, 0, both, 0, x0.length);
      System.arraycopy(x1, 0, both, x0.length, x1.length);
      Tensor[] cs = rope(d).tables(t, F64, CPU);
      double[] got = att.forward(Var.constant(Tensor.of(both, 2, t, hidden)), cs[0], cs[1], AttentionCore.CAUSAL, 0).data().toDoubleArray();
      // the tables are F32-rounded as in transformers, the reference is all double
      double[] ref0 = reference(att, heads, kvHeads, d, x0, t, hidden), ref1 = reference(att, heads, kvHeads, d, x1, t, hidden);
      for (int i = 0; i < ref0.length; i++) {
        assertEquals(ref0[i], got[i], 1e-5);
        assertEquals(ref1[i], got[ref0.length + i], 1e-5);
      }
      ModuleGradCheck.check("attention", att, x -> att.forward(x, cs[0], cs[1], AttentionCore.CAUSAL, 0), new int[] {1, t, hidden}, seed);
    }
    assertThrows(IllegalArgumentException.class, () -> new Attention(8, 3, 2, 4, false, false, false, 1e-6, F64, CPU));
  }

  /**
   * Two sequences with prompts of different lengths, prefilled together (packed into one row), then
   * decoded one token each per step: every output equals the full causal forward of its sequence.
   */
  @Property(tries = 10)
  void cachedDecodingMatchesTheFullForward(@ForAll @IntRange(min = 1, max = 4) int prompt0, @ForAll @IntRange(min = 1, max = 4) int prompt1,
      @ForAll @IntRange(min = 1, max = 3) int steps, @ForAll boolean full, @ForAll long seed) {
    Rng rng = new Rng(seed);
    int d = 4, hidden = 8, kvHeads = 2;
    int[] prompts = {prompt0, prompt1}, lengths = {prompt0 + steps, prompt1 + steps};
    RotaryTables rope = rope(d);
    try (TensorScope s = TensorScope.open(); Attention att = attention(rng, hidden, 4, kvHeads, d, full);
        SequenceCache c0 = new SequenceCache(1, kvHeads, d, lengths[0], F64, CPU); SequenceCache c1 = new SequenceCache(1, kvHeads, d, lengths[1], F64, CPU);
        Grad.Guard g = Grad.disabled()) {
      List<SequenceCache> caches = List.of(c0, c1);
      double[][] x = {random(rng, lengths[0] * hidden), random(rng, lengths[1] * hidden)};
      double[][] expected = new double[2][], got = {new double[lengths[0] * hidden], new double[lengths[1] * hidden]};
      for (int i = 0; i < 2; i++) {
        Tensor[] cs = rope.tables(lengths[i], F64, CPU);
        expected[i] = att.forward(Var.constant(Tensor.of(x[i], 1, lengths[i], hidden)), cs[0], cs[1], AttentionCore.CAUSAL, 0).data().toDoubleArray();
      }
      step(att, rope, caches, x, prompts, got, hidden);
      for (int k = 0; k < steps; k++) step(att, rope, caches, x, new int[] {1, 1}, got, hidden);
      assertArrayEquals(expected[0], got[0], 1e-12);
      assertArrayEquals(expected[1], got[1], 1e-12);
      assertEquals(lengths[0], c0.length());
      assertThrows(IllegalArgumentException.class, () -> c0.reserve(lengths[0] + 1), "past the cache's maximum length");
      try (SequenceCache copy = c1.fork()) {
        assertEquals(c1.length(), copy.length());
      }
    }
  }

  /** One packed pass: counts[i] new tokens of sequence i, written into got at their positions. */
  private static void step(Attention att, RotaryTables rope, List<SequenceCache> caches, double[][] x, int[] counts, double[][] got, int hidden) {
    int total = counts[0] + counts[1];
    int[] offsets = {0, counts[0]}, positions = new int[total];
    double[] packed = new double[total * hidden];
    for (int i = 0; i < 2; i++) {
      int past = caches.get(i).length();
      for (int j = 0; j < counts[i]; j++) positions[offsets[i] + j] = past + j;
      System.arraycopy(x[i], past * hidden, packed, offsets[i] * hidden, counts[i] * hidden);
      caches.get(i).reserve(past + counts[i]);
    }
    Tensor[] cs = rope.tables(positions, F64, CPU);
    double[] y = att.forward(Var.constant(Tensor.of(packed, 1, total, hidden)), cs[0], cs[1], new CachedAttention(caches, offsets, counts), 0)
        .data().toDoubleArray();
    for (int i = 0; i < 2; i++) {
      System.arraycopy(y, offsets[i] * hidden, got[i], caches.get(i).length() * hidden, counts[i] * hidden);
      caches.get(i).advance(counts[i]);
    }
  }

  @Example
  void cachedAttentionRefusesGradients() {
    Rng rng = new Rng(2);
    try (TensorScope s = TensorScope.open(); Attention att = attention(rng, 8, 2, 1, 4, false); SequenceCache cache = new SequenceCache(1, 1, 4, 4, F64, CPU)) {
      cache.reserve(2);
      Tensor[] cs = rope(4).tables(2, F64, CPU);
      CachedAttention core = new CachedAttention(List.of(cache), new int[] {0}, new int[] {2});
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> att.forward(Var.constant(Tensor.zeros(F64, 1, 2, 8)), cs[0], cs[1], core, 0));
      assertTrue(e.getMessage().contains("inference"), e.getMessage());
    }
  }

  @Example
  void dropoutScalesKeptElementsAndIsIdentityInEval() {
    RandomState.seed(11);
    try (TensorScope s = TensorScope.open(); Dropout drop = new Dropout(0.25)) {
      Var x = Var.leaf(Tensor.ones(F64, 4000));
      double[] y = drop.forward(x).data().toDoubleArray();
      int zeros = 0;
      for (double v : y) {
        assertTrue(v == 0 || Math.abs(v - 1 / 0.75) < 1e-12, "value " + v);
        if (v == 0) zeros++;
      }
      assertEquals(0.25, zeros / 4000.0, 0.03);
      Var y2 = drop.forward(x);
      y2.sum().backward();
      assertArrayEquals(y2.data().toDoubleArray(), x.grad().toDoubleArray());
      x.clearGrad();
      drop.eval();
      assertTrue(drop.forward(x) == x);
    }
    assertThrows(IllegalArgumentException.class, () -> new Dropout(1));
  }
}

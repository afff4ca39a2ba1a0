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
  void rotaryTablesFollowHuggingFace(@ForAll @IntRange(min = 1, max = 8) int half, @ForAll @IntRange(min = 0, max = 5000) int start) {
    RotaryEmbedding rope = new RotaryEmbedding(2 * half, 10000);
    try (TensorScope s = TensorScope.open()) {
      Tensor[] cs = rope.tables(start, 3, DType.F32, CPU);
      float[] c = cs[0].toFloatArray(), sn = cs[1].toFloatArray();
      for (int p = 0; p < 3; p++)
        for (int j = 0; j < 2 * half; j++) {
          double angle = (start + p) * Math.pow(10000, -2.0 * (j % half) / (2 * half));
          // F32 angles: the error grows with the position, as in Hugging Face
          assertEquals(Math.cos(angle), c[p * 2 * half + j], 1e-6 * (1 + start + p));
          assertEquals(Math.sin(angle), sn[p * 2 * half + j], 1e-6 * (1 + start + p));
        }
      Tensor[] rows = rope.tables(new int[] {start, start + 1}, 2, DType.F32, CPU);
      assertArrayEquals(new int[] {2, 1, 2, 2 * half}, rows[0].shape());
      try (Tensor second = rows[0].select(0, 1); Tensor same = rope.tables(start + 1, 2, DType.F32, CPU)[0]; Tensor sq = second.squeeze(0)) {
        assertArrayEquals(same.toFloatArray(), sq.toFloatArray());
      }
      assertArrayEquals(new int[] {2, 2 * half}, rope.tables(new int[] {start, start}, 2, DType.F32, CPU)[0].shape());
    }
    assertThrows(IllegalArgumentException.class, () -> new RotaryEmbedding(3, 10000));
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

  static GroupedQueryAttention attention(Rng rng, int hidden, int heads, int kvHeads, int d) {
    GroupedQueryAttention att = new GroupedQueryAttention(hidden, heads, kvHeads, d, true, F64, CPU);
    ModuleGradCheck.randomize(att, rng);
    return att;
  }

  static double[] reference(GroupedQueryAttention a, double[] x, int t, int c) {
    return Ref.attention(x, t, c, a.heads(), a.kvHeads(), a.headDim(), a.qProj().weight().value().toDoubleArray(),
        a.qProj().bias().value().toDoubleArray(), a.kProj().weight().value().toDoubleArray(), a.kProj().bias().value().toDoubleArray(),
        a.vProj().weight().value().toDoubleArray(), a.vProj().bias().value().toDoubleArray(), a.oProj().weight().value().toDoubleArray(), 10000);
  }

  @Property(tries = 10)
  void groupedQueryAttentionMatchesReference(@ForAll @IntRange(min = 1, max = 2) int kvHeads, @ForAll @IntRange(min = 1, max = 2) int group,
      @ForAll @IntRange(min = 1, max = 5) int t, @ForAll long seed) {
    Rng rng = new Rng(seed);
    int d = 4, hidden = 6, heads = kvHeads * group;
    RotaryEmbedding rope = new RotaryEmbedding(d, 10000);
    try (TensorScope s = TensorScope.open(); GroupedQueryAttention att = attention(rng, hidden, heads, kvHeads, d)) {
      double[] x0 = random(rng, t * hidden), x1 = random(rng, t * hidden);
      double[] both = new double[2 * t * hidden];
      System.arraycopy(x0, 0, both, 0, x0.length);
      System.arraycopy(x1, 0, both, x0.length, x1.length);
      Tensor[] cs = rope.tables(0, t, F64, CPU);
      double[] got = att.forward(Var.constant(Tensor.of(both, 2, t, hidden)), cs[0], cs[1]).data().toDoubleArray();
      double[] ref0 = reference(att, x0, t, hidden), ref1 = reference(att, x1, t, hidden);
      for (int i = 0; i < ref0.length; i++) {
        assertEquals(ref0[i], got[i], 1e-5);
        assertEquals(ref1[i], got[ref0.length + i], 1e-5);
      }
      ModuleGradCheck.check("attention", att, x -> att.forward(x, cs[0], cs[1]), new int[] {1, t, hidden}, seed);
    }
  }

  @Property(tries = 10)
  void kvCacheDecodingMatchesTheFullForward(@ForAll @IntRange(min = 1, max = 4) int prompt, @ForAll @IntRange(min = 1, max = 3) int steps,
      @ForAll long seed) {
    Rng rng = new Rng(seed);
    int d = 4, hidden = 8, t = prompt + steps;
    RotaryEmbedding rope = new RotaryEmbedding(d, 10000);
    try (TensorScope s = TensorScope.open(); GroupedQueryAttention att = attention(rng, hidden, 4, 2, d);
        KvCache cache = new KvCache(1, 2, 2, d, t, F64, CPU); Grad.Guard g = Grad.disabled()) {
      double[] x = random(rng, 2 * t * hidden);
      Tensor xt = Tensor.of(x, 2, t, hidden);
      Tensor[] full = rope.tables(0, t, F64, CPU);
      double[] expected = att.forward(Var.constant(xt), full[0], full[1]).data().toDoubleArray();
      // prefill, then one token at a time
      Tensor[] pre = rope.tables(0, prompt, F64, CPU);
      double[] got = new double[expected.length];
      collect(att.forward(Var.constant(xt.narrow(1, 0, prompt)), pre[0], pre[1], cache, 0), got, 0, prompt, t, hidden);
      cache.advance(prompt);
      for (int i = prompt; i < t; i++) {
        Tensor[] one = rope.tables(cache.lengths(), 1, F64, CPU);
        collect(att.forward(Var.constant(xt.narrow(1, i, 1)), one[0], one[1], cache, 0), got, i, 1, t, hidden);
        cache.advance(1);
      }
      assertArrayEquals(expected, got, 1e-12);
      assertThrows(IllegalStateException.class, () -> {
        Tensor[] one = rope.tables(cache.lengths(), 1, F64, CPU);
        att.forward(Var.constant(xt.narrow(1, 0, 1)), one[0], one[1], cache, 0);
      });
    }
  }

  /** Copies y (B, n, C), positions at.., into out (B, t, C). */
  private static void collect(Var y, double[] out, int at, int n, int t, int c) {
    double[] v = y.data().toDoubleArray();
    for (int b = 0; b < 2; b++) System.arraycopy(v, b * n * c, out, (b * t + at) * c, n * c);
  }

  @Property(tries = 10)
  void kvCacheRowsOfDifferentLengths(@ForAll @IntRange(min = 1, max = 4) int len0, @ForAll @IntRange(min = 1, max = 4) int len1, @ForAll long seed) {
    Rng rng = new Rng(seed);
    int d = 4, hidden = 8, pad = Math.max(len0, len1);
    RotaryEmbedding rope = new RotaryEmbedding(d, 10000);
    try (TensorScope s = TensorScope.open(); GroupedQueryAttention att = attention(rng, hidden, 2, 1, d);
        KvCache cache = new KvCache(1, 2, 1, d, pad + 2, F64, CPU); Grad.Guard g = Grad.disabled()) {
      double[] x = random(rng, 2 * (pad + 1) * hidden);
      Tensor xt = Tensor.of(x, 2, pad + 1, hidden);
      // right-padded prefill of both prompts, then each row's next token at its own position
      Tensor[] pre = rope.tables(0, pad, F64, CPU);
      att.forward(Var.constant(xt.narrow(1, 0, pad)), pre[0], pre[1], cache, 0);
      cache.setLengths(len0, len1);
      Tensor step = Tensor.cat(0, java.util.List.of(xt.narrow(0, 0, 1).narrow(1, len0, 1), xt.narrow(0, 1, 1).narrow(1, len1, 1))); // (2, 1, C)
      Tensor[] one = rope.tables(cache.lengths(), 1, F64, CPU);
      double[] got = att.forward(Var.constant(step), one[0], one[1], cache, 0).data().toDoubleArray();
      for (int b = 0; b < 2; b++) {
        int len = b == 0 ? len0 : len1;
        double[] row = new double[(len + 1) * hidden];
        System.arraycopy(x, b * (pad + 1) * hidden, row, 0, len * hidden);
        System.arraycopy(x, (b * (pad + 1) + len) * hidden, row, len * hidden, hidden);
        double[] ref = reference(att, row, len + 1, hidden);
        for (int j = 0; j < hidden; j++) assertEquals(ref[len * hidden + j], got[b * hidden + j], 1e-5, "row " + b);
      }
    }
  }

  @Example
  void kvCacheRefusesGradients() {
    Rng rng = new Rng(2);
    try (TensorScope s = TensorScope.open(); GroupedQueryAttention att = attention(rng, 8, 2, 1, 4); KvCache cache = new KvCache(1, 1, 1, 4, 4, F64, CPU)) {
      Tensor[] cs = new RotaryEmbedding(4, 10000).tables(0, 2, F64, CPU);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> att.forward(Var.constant(Tensor.zeros(F64, 1, 2, 8)), cs[0], cs[1], cache, 0));
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

package dev.rmr1.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rmr1.autograd.GradCheck.Input;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.cpu.CpuBackend;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Finite-difference checks of matmul, the fused NN operations, indexing and the token losses. */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class NeuralOpGradProperties {

  @Property(tries = 20)
  void matmulBatchedBroadcastAndTransposed(@ForAll @IntRange(min = 1, max = 3) int m, @ForAll @IntRange(min = 1, max = 3) int k,
      @ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 2) int batch, @ForAll long seed) {
    Rng rng = new Rng(seed);
    GradCheck.check("2-d matmul", v -> v.get(0).matmul(v.get(1)), Input.of(rng, m, k), Input.of(rng, k, n));
    GradCheck.check("broadcast batch dims", v -> v.get(0).matmul(v.get(1)), Input.of(rng, batch, 1, m, k), Input.of(rng, 2, k, n));
    GradCheck.check("x @ W^T with a shared 2-d weight", v -> v.get(0).matmul(v.get(1).transpose(0, 1)),
        Input.of(rng, batch, m, k), Input.of(rng, n, k));
    GradCheck.check("transposed left operand", v -> v.get(0).transpose(-1, -2).matmul(v.get(1)),
        Input.of(rng, batch, k, m), Input.of(rng, batch, k, n));
    GradCheck.check("frozen right operand", v -> v.get(0).matmul(v.get(1)), Input.of(rng, m, k), Input.of(rng, k, n).frozen());
  }

  @Example
  void frozenBf16WeightGivesTheGradientToTheF32Side() {
    try (TensorScope s = TensorScope.open()) {
      Rng rng = new Rng(3);
      Tensor w = Tensor.uniform(Device.CPU, DType.BF16, rng, -1, 1, 4, 3);
      Var x = Var.leaf(Tensor.uniform(Device.CPU, DType.F32, rng, -1, 1, 2, 3));
      Var y = x.matmul(Var.constant(w).transpose(0, 1));
      Tensor g = Tensor.uniform(Device.CPU, DType.F32, rng, -1, 1, 2, 4);
      y.backward(g);
      try (Tensor w32 = w.to(DType.F32); Tensor expected = g.matmul(w32)) {
        assertArrayEquals(expected.toFloatArray(), x.grad().toFloatArray(), 1e-6f);
      }
      x.clearGrad();
      Var trainable = Var.leaf(w);
      assertThrows(IllegalArgumentException.class, () -> x.matmul(trainable));
    }
  }

  @Property(tries = 20)
  void rmsNorm(@ForAll @IntRange(min = 1, max = 3) int rows, @ForAll @IntRange(min = 1, max = 5) int c, @ForAll long seed) {
    Rng rng = new Rng(seed);
    GradCheck.check("rmsNorm", v -> v.get(0).rmsNorm(v.get(1), 1e-6), Input.of(rng, 2, rows, c), Input.uniform(rng, 0.5, 1.5, c));
    GradCheck.check("rmsNorm of a transposed view, frozen weight", v -> v.get(0).transpose(0, 1).rmsNorm(v.get(1), 0.1),
        Input.of(rng, c, rows), Input.of(rng, c).frozen());
  }

  @Property(tries = 20)
  void rmsNormMatchesItsDefinition(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 6) int c, @ForAll long seed) {
    Rng rng = new Rng(seed);
    Input x = Input.of(rng, rows, c), w = Input.of(rng, c);
    GradCheck.assertSame("rmsNorm against its composition from primitives", v -> v.get(0).rmsNorm(v.get(1), 1e-5),
        v -> v.get(0).div(v.get(0).square().mean(-1, true).add(1e-5).sqrt()).mul(v.get(1)), 1e-12, x, w);
  }

  /** Hugging Face rope tables for positions start.., head dim d: (T, d) with equal halves. */
  static Tensor[] ropeTables(int t, int d, int start) {
    double[] c = new double[t * d], s = new double[t * d];
    for (int p = 0; p < t; p++)
      for (int i = 0; i < d / 2; i++) {
        double angle = (start + p) * Math.pow(10000, -2.0 * i / d);
        c[p * d + i] = c[p * d + i + d / 2] = Math.cos(angle);
        s[p * d + i] = s[p * d + i + d / 2] = Math.sin(angle);
      }
    return new Tensor[] {Tensor.of(c, t, d), Tensor.of(s, t, d)};
  }

  @Property(tries = 20)
  void rope(@ForAll @IntRange(min = 1, max = 3) int t, @ForAll @IntRange(min = 1, max = 3) int halfD, @ForAll @IntRange(min = 0, max = 9) int start,
      @ForAll long seed) {
    Rng rng = new Rng(seed);
    try (TensorScope s = TensorScope.open()) {
      Tensor[] cs = ropeTables(t, 2 * halfD, start);
      GradCheck.check("rope", v -> v.get(0).rope(cs[0], cs[1]), Input.uniform(rng, 2, 2, t, 2 * halfD));
      GradCheck.check("rope of a transposed (B, T, H, D) view", v -> v.get(0).transpose(1, 2).rope(cs[0], cs[1]),
          Input.of(rng, 1, t, 3, 2 * halfD));
    }
  }

  @Property(tries = 20)
  void embeddingAndGather(@ForAll @IntRange(min = 1, max = 4) int vocab, @ForAll @IntRange(min = 1, max = 3) int c, @ForAll long seed) {
    Rng rng = new Rng(seed);
    long[] ids = new long[6];
    for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(vocab);
    long[] idx = new long[2 * c];
    for (int i = 0; i < idx.length; i++) idx[i] = rng.nextInt(vocab);
    try (TensorScope s = TensorScope.open()) {
      Tensor idTensor = Tensor.ofLongs(ids, 2, 3);
      Tensor gatherIdx = Tensor.ofLongs(idx, c, 2);
      GradCheck.check("embedding with repeated ids", v -> v.get(0).embedding(idTensor), Input.of(rng, vocab, c));
      GradCheck.check("gather along dim 1", v -> v.get(0).gather(1, gatherIdx), Input.of(rng, c, vocab));
    }
  }

  @Property(tries = 25)
  void attention(@ForAll @IntRange(min = 1, max = 2) int kvHeads, @ForAll @IntRange(min = 1, max = 2) int group,
      @ForAll @IntRange(min = 1, max = 4) int tq, @ForAll @IntRange(min = 0, max = 2) int extraKeys, @ForAll boolean causal,
      @ForAll @IntRange(min = 1, max = 3) int blockElements, @ForAll long seed) {
    Rng rng = new Rng(seed);
    int b = 1 + rng.nextInt(2), d = 2, tk = tq + extraKeys;
    double scale = 1 / Math.sqrt(d);
    // blockElements * (B * Hq * Tk) gives blocks of 1..3 query rows: several blocks per call
    long budget = (long) blockElements * b * kvHeads * group * tk;
    GradCheck.check("attention", v -> AttentionOp.apply(v.get(0), v.get(1), v.get(2), scale, causal, extraKeys, budget),
        Input.uniform(rng, -2, 2, b, kvHeads * group, tq, d), Input.uniform(rng, -2, 2, b, kvHeads, tk, d), Input.of(rng, b, kvHeads, tk, d));
  }

  /** The CPU training kernels (F64 operands take their scalar Reference) against finite differences, frozen inputs included. */
  @Property(tries = 25)
  void attentionOnTheCpuKernels(@ForAll @IntRange(min = 1, max = 2) int kvHeads, @ForAll @IntRange(min = 1, max = 2) int group,
      @ForAll @IntRange(min = 1, max = 4) int tq, @ForAll @IntRange(min = 0, max = 2) int extraKeys, @ForAll boolean causal,
      @ForAll boolean frozenValues, @ForAll long seed) {
    Rng rng = new Rng(seed);
    int b = 1 + rng.nextInt(2), d = 2, tk = tq + extraKeys;
    Input values = Input.of(rng, b, kvHeads, tk, d);
    GradCheck.check("attention (CPU kernels)", v -> AttentionOp.fused(CpuBackend.instance(), v.get(0), v.get(1), v.get(2), 0.8, causal, extraKeys),
        Input.uniform(rng, -2, 2, b, kvHeads * group, tq, d), Input.uniform(rng, -2, 2, b, kvHeads, tk, d), frozenValues ? values.frozen() : values);
  }

  /**
   * F32 through the Vector API training kernels, on the head views of (B, T, H, D) projections that
   * the model makes, against the composed path in F64 (several query blocks): outputs and all three
   * gradients.
   */
  @Property(tries = 15)
  void attentionVectorKernelsMatchTheComposedPath(@ForAll @IntRange(min = 1, max = 3) int group, @ForAll @IntRange(min = 1, max = 40) int tq,
      @ForAll @IntRange(min = 0, max = 3) int extraKeys, @ForAll boolean causal, @ForAll long seed) {
    Rng rng = new Rng(seed);
    int tk = tq + extraKeys, hkv = 2, d = 16;
    try (TensorScope s = TensorScope.open()) {
      Tensor q = Tensor.uniform(Device.CPU, DType.F32, rng, -2, 2, 1, tq, hkv * group, d);
      Tensor k = Tensor.uniform(Device.CPU, DType.F32, rng, -2, 2, 1, tk, hkv, d);
      Tensor v = Tensor.uniform(Device.CPU, DType.F32, rng, -2, 2, 1, tk, hkv, d);
      Tensor w = Tensor.uniform(Device.CPU, DType.F32, rng, -1, 1, 1, hkv * group, tq, d);
      List<Var> fast = List.of(Var.leaf(q), Var.leaf(k), Var.leaf(v));
      List<Var> slow = List.of(Var.leaf(q.to(DType.F64)), Var.leaf(k.to(DType.F64)), Var.leaf(v.to(DType.F64)));
      Var yf = Var.attention(fast.get(0).permute(0, 2, 1, 3), fast.get(1).permute(0, 2, 1, 3), fast.get(2).permute(0, 2, 1, 3), 0.25, causal, extraKeys);
      Var ys = AttentionOp.apply(slow.get(0).permute(0, 2, 1, 3), slow.get(1).permute(0, 2, 1, 3), slow.get(2).permute(0, 2, 1, 3), 0.25, causal,
          extraKeys, 3L * 2 * group * tk);
      assertArrayEquals(ys.data().toDoubleArray(), yf.data().toDoubleArray(), 1e-5);
      yf.mul(Var.constant(w)).sum().backward();
      ys.mul(Var.constant(w.to(DType.F64))).sum().backward();
      for (int i = 0; i < 3; i++) assertArrayEquals(slow.get(i).grad().toDoubleArray(), fast.get(i).grad().toDoubleArray(), 2e-5, "gradient " + i);
    }
  }

  @Property(tries = 20)
  void attentionWithGradientsMatchesTheFusedKernel(@ForAll @IntRange(min = 1, max = 3) int group, @ForAll @IntRange(min = 1, max = 7) int tq,
      @ForAll @IntRange(min = 0, max = 3) int extraKeys, @ForAll boolean causal, @ForAll long seed) {
    Rng rng = new Rng(seed);
    int tk = tq + extraKeys;
    try (TensorScope s = TensorScope.open()) {
      Tensor q = Tensor.uniform(Device.CPU, DType.F64, rng, -2, 2, 2, 2 * group, tq, 4);
      Tensor k = Tensor.uniform(Device.CPU, DType.F64, rng, -2, 2, 2, 2, tk, 4);
      Tensor v = Tensor.uniform(Device.CPU, DType.F64, rng, -2, 2, 2, 2, tk, 4);
      Tensor expected = Tensor.attention(q, k, v, 0.5, causal, extraKeys);
      Var got = AttentionOp.apply(Var.leaf(q), Var.constant(k), Var.constant(v), 0.5, causal, extraKeys, 2L * 2 * group * tk);
      assertArrayEquals(expected.toDoubleArray(), got.data().toDoubleArray(), 1e-12);
    }
  }

  @Property(tries = 20)
  void tokenLogProbs(@ForAll @IntRange(min = 1, max = 3) int rows, @ForAll @IntRange(min = 1, max = 5) int vocab, @ForAll long seed) {
    Rng rng = new Rng(seed);
    long[] t = new long[2 * rows];
    for (int i = 0; i < t.length; i++) t[i] = rng.nextInt(vocab);
    try (TensorScope s = TensorScope.open()) {
      Tensor targets = Tensor.ofLongs(t, 2, rows);
      Input logits = Input.uniform(rng, -3, 3, 2, rows, vocab);
      GradCheck.check("tokenLogProbs", v -> v.get(0).tokenLogProbs(targets), logits);
      GradCheck.assertSame("tokenLogProbs against logSoftmax + gather", v -> v.get(0).tokenLogProbs(targets),
          v -> v.get(0).logSoftmax(-1).gather(2, targets.reshape(2, rows, 1)).squeeze(2), 1e-12, logits);
      GradCheck.check("tokenLogProbs of a transposed view", v -> v.get(0).transpose(0, 1).tokenLogProbs(targets),
          Input.of(rng, rows, 2, vocab));
    }
  }

  @Property(tries = 20)
  void crossEntropyIgnoresMaskedTargets(@ForAll @IntRange(min = 1, max = 6) int n, @ForAll @IntRange(min = 2, max = 5) int vocab, @ForAll long seed) {
    Rng rng = new Rng(seed);
    long[] t = new long[n];
    for (int i = 0; i < n; i++) t[i] = i == 0 || rng.nextInt(3) != 0 ? rng.nextInt(vocab) : -100;
    Input logits = Input.uniform(rng, -3, 3, n, vocab);
    try (TensorScope s = TensorScope.open()) {
      Tensor targets = Tensor.ofLongs(t, n);
      GradCheck.check("crossEntropy", v -> v.get(0).crossEntropy(targets), logits);
      // the value: mean over kept rows of logsumexp - logit[target]
      double sum = 0;
      int kept = 0;
      double[] l = logits.values();
      for (int i = 0; i < n; i++) {
        if (t[i] == -100) continue;
        double m = Double.NEGATIVE_INFINITY, z = 0;
        for (int j = 0; j < vocab; j++) m = Math.max(m, l[i * vocab + j]);
        for (int j = 0; j < vocab; j++) z += Math.exp(l[i * vocab + j] - m);
        sum += m + Math.log(z) - l[i * vocab + (int) t[i]];
        kept++;
      }
      assertEquals(sum / kept, Var.constant(Tensor.of(l, n, vocab)).crossEntropy(targets).item(), 1e-12);
    }
  }

  @Property(tries = 15)
  void linearTokenLogProbsInRowBlocks(@ForAll @IntRange(min = 1, max = 5) int n, @ForAll @IntRange(min = 1, max = 4) int c,
      @ForAll @IntRange(min = 1, max = 5) int vocab, @ForAll @IntRange(min = 1, max = 3) int blockRows, @ForAll long seed) {
    Rng rng = new Rng(seed);
    long[] t = new long[n];
    for (int i = 0; i < n; i++) t[i] = rng.nextInt(vocab);
    double temperature = 0.5 + rng.nextDouble();
    try (TensorScope s = TensorScope.open()) {
      Tensor targets = Tensor.ofLongs(t, n);
      Input h = Input.of(rng, n, c), w = Input.uniform(rng, -2, 2, vocab, c);
      GradCheck.check("linearTokenLogProbs", v -> LinearTokenLogProbs.apply(v.get(0), v.get(1), targets, temperature, (long) blockRows * vocab), h, w);
      GradCheck.assertSame("linearTokenLogProbs against lm head + tokenLogProbs",
          v -> LinearTokenLogProbs.apply(v.get(0), v.get(1), targets, temperature, (long) blockRows * vocab),
          v -> v.get(0).matmul(v.get(1).transpose(0, 1)).div(temperature).tokenLogProbs(targets), 1e-12, h, w);
      long[] masked = t.clone();
      masked[n - 1] = n > 1 ? -100 : masked[n - 1];
      Tensor mt = Tensor.ofLongs(masked, n);
      GradCheck.assertSame("linearCrossEntropy against crossEntropy", v -> Var.linearCrossEntropy(v.get(0), v.get(1), mt, -100),
          v -> v.get(0).matmul(v.get(1).transpose(0, 1)).crossEntropy(mt), 1e-12, h, w);
    }
  }

  @Example
  void linearTokenLogProbsWithAFrozenBf16Head() {
    try (TensorScope s = TensorScope.open()) {
      Rng rng = new Rng(9);
      Tensor w = Tensor.uniform(Device.CPU, DType.BF16, rng, -1, 1, 7, 3);
      Tensor targets = Tensor.ofLongs(new long[] {1, 6, 0, 3}, 4);
      Var h1 = Var.leaf(Tensor.uniform(Device.CPU, DType.F32, rng, -1, 1, 4, 3));
      Var h2 = Var.leaf(h1.data().copy());
      Var fused = LinearTokenLogProbs.apply(h1, Var.constant(w), targets, 1, 14);
      Var composed = h2.matmul(Var.constant(w).transpose(0, 1)).tokenLogProbs(targets);
      assertArrayEquals(composed.data().toFloatArray(), fused.data().toFloatArray(), 1e-6f);
      fused.sum().backward();
      composed.sum().backward();
      assertArrayEquals(h2.grad().toFloatArray(), h1.grad().toFloatArray(), 1e-6f);
      h1.clearGrad();
      h2.clearGrad();
    }
  }

  @Example
  void crossEntropyOfOnlyIgnoredTargetsIsNaN() {
    try (TensorScope s = TensorScope.open()) {
      Var logits = Var.leaf(Tensor.zeros(DType.F32, 2, 3));
      assertEquals(Double.NaN, logits.crossEntropy(Tensor.ofLongs(new long[] {-100, -100}, 2)).item());
    }
  }

  @Example
  void catOfFrozenAndTrainableParts() {
    try (TensorScope s = TensorScope.open()) {
      Var a = Var.leaf(Tensor.ones(DType.F64, 2));
      Var b = Var.constant(Tensor.ones(DType.F64, 3));
      Var.cat(0, List.of(a, b)).mul(2).sum().backward();
      assertArrayEquals(new double[] {2, 2}, a.grad().toDoubleArray());
      a.clearGrad();
    }
  }
}

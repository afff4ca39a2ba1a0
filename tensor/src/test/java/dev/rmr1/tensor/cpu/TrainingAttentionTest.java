package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.TestTensors.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.TestTensors;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The training attention kernels (forward with log-sum-exp, pair-by-pair backward) against the
 * scalar Reference, and the Reference backward against finite differences of the Reference forward.
 */
class TrainingAttentionTest {
  @Provide
  Arbitrary<DType> vectorTypes() {
    return Arbitraries.of(DType.F32, DType.F32, DType.BF16);
  }

  /** A random attention problem: q, k, v in the model's layouts, and an output gradient. */
  private record Case(Tensor q, Tensor k, Tensor v, Tensor dOut, double scale, boolean causal, int qOffset) {
    static Case draw(Random rnd, DType dt, boolean causal) {
      int b = 1 + rnd.nextInt(2), hkv = 1 + rnd.nextInt(2), group = 1 + rnd.nextInt(3);
      int d = new int[] {1, 5, 16, 17, 64}[rnd.nextInt(5)];
      // More than 128 keys with one KV head splits the keys over several tasks.
      int tk = new int[] {0, 1, 2, 7, 33, 65, 150}[rnd.nextInt(7)];
      int tq = causal ? rnd.nextInt(Math.min(tk, 70) + 1) : 1 + rnd.nextInt(12);
      int qOffset = causal ? (rnd.nextBoolean() ? tk - tq : rnd.nextInt(tk - tq + 1)) : 0;
      double scale = rnd.nextBoolean() ? 1 / Math.sqrt(d) : 1.5;
      Tensor q = AttentionTest.heads(rnd, dt, 2, b, hkv * group, tq, d);
      Tensor k = AttentionTest.heads(rnd, dt, 2, b, hkv, tk, d);
      Tensor v = AttentionTest.heads(rnd, dt, 3, b, hkv, tk, d);
      Tensor dOut = AttentionTest.heads(rnd, dt, 1, b, hkv * group, tq, d);
      return new Case(q, k, v, dOut, scale, causal, qOffset);
    }

    int[] lseShape() {
      return new int[] {q.size(0), q.size(1), q.size(2)};
    }
  }

  @Property(tries = 60)
  void forwardAndLogSumExpMatchReference(@ForAll("vectorTypes") DType dt, @ForAll boolean causal, @ForAll long seed) {
    try (TensorScope s = TensorScope.open()) {
      Case c = Case.draw(new Random(seed), dt, causal);
      Tensor out = Tensor.empty(dt, c.q.shape()), lse = Tensor.empty(DType.F32, c.lseShape());
      TrainingAttention.forward(out, lse, c.q, c.k, c.v, c.scale, c.causal, c.qOffset);
      Tensor refOut = Tensor.empty(dt, c.q.shape()), refLse = Tensor.empty(DType.F64, c.lseShape());
      Reference.attention(refOut, refLse, c.q, c.k, c.v, c.scale, c.causal, c.qOffset);
      // Outputs are convex combinations of v rows (|v| <= 3): an absolute tolerance fits.
      assertClose(refOut, out, dt == DType.BF16 ? 2 : 0, dt == DType.BF16 ? 0.02 : 5e-5);
      assertClose(refLse, lse.to(DType.F64), 0, 1e-4);
    }
  }

  @Property(tries = 60)
  void backwardMatchesReference(@ForAll("vectorTypes") DType dt, @ForAll boolean causal, @ForAll long seed) {
    try (TensorScope s = TensorScope.open()) {
      Case c = Case.draw(new Random(seed), dt, causal);
      // Both backwards start from the same forward values.
      Tensor out = Tensor.empty(dt, c.q.shape()), lse = Tensor.empty(DType.F32, c.lseShape());
      TrainingAttention.forward(out, lse, c.q, c.k, c.v, c.scale, c.causal, c.qOffset);
      Tensor[] got = grads(dt, c), ref = grads(dt, c);
      TrainingAttention.backward(got[0], got[1], got[2], c.dOut, c.q, c.k, c.v, out, lse, c.scale, c.causal, c.qOffset);
      Reference.attentionBackward(ref[0], ref[1], ref[2], c.dOut, c.q, c.k, c.v, out, lse, c.scale, c.causal, c.qOffset);
      // dS = P (dP - delta) cancels where dP ~ delta (one visible key: exactly), so float errors of
      // D-term dot products (~ sqrt(D) ulps of terms of size ~1) scale the absolute tolerance.
      double dotError = Math.sqrt(c.q.size(3)) * (dt == DType.BF16 ? 4e-3 : 1e-6);
      for (int i = 0; i < 3; i++) {
        double max = 0;
        for (double x : ref[i].toDoubleArray()) max = Math.max(max, Math.abs(x));
        assertClose(ref[i], got[i], dt == DType.BF16 ? 2 : 0, (dt == DType.BF16 ? 0.01 : 2e-5) * (1 + max) + 10 * dotError);
      }
    }
  }

  /** Gradient buffers filled with garbage: the kernels must overwrite every element. */
  private static Tensor[] grads(DType dt, Case c) {
    Tensor[] g = {Tensor.empty(dt, c.q.shape()), Tensor.empty(dt, c.k.shape()), Tensor.empty(dt, c.v.shape())};
    for (Tensor t : g) t.fill(Double.NaN);
    return g;
  }

  /** The reference backward is the gradient of the reference forward: loss = sum(out * w), checked by central differences in F64. */
  @Property(tries = 12)
  void referenceBackwardIsTheGradientOfTheForward(@ForAll boolean causal, @ForAll long seed) {
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(seed);
      int hkv = 1 + rnd.nextInt(2), group = 1 + rnd.nextInt(2), d = 1 + rnd.nextInt(4), tk = 1 + rnd.nextInt(5);
      int tq = causal ? 1 + rnd.nextInt(tk) : 1 + rnd.nextInt(4), qOffset = causal ? tk - tq : 0;
      Tensor q = TestTensors.uniform(rnd, DType.F64, -1, 1, 1, hkv * group, tq, d);
      Tensor k = TestTensors.uniform(rnd, DType.F64, -1, 1, 1, hkv, tk, d);
      Tensor v = TestTensors.uniform(rnd, DType.F64, -1, 1, 1, hkv, tk, d);
      Tensor w = TestTensors.uniform(rnd, DType.F64, -1, 1, 1, hkv * group, tq, d);
      double scale = 0.7;
      Tensor out = Tensor.empty(DType.F64, q.shape()), lse = Tensor.empty(DType.F64, 1, hkv * group, tq);
      Reference.attention(out, lse, q, k, v, scale, causal, qOffset);
      Tensor dq = Tensor.empty(DType.F64, q.shape()), dk = Tensor.empty(DType.F64, k.shape()), dv = Tensor.empty(DType.F64, v.shape());
      Reference.attentionBackward(dq, dk, dv, w, q, k, v, out, lse, scale, causal, qOffset);
      Tensor[] inputs = {q, k, v}, analytic = {dq, dk, dv};
      for (int which = 0; which < 3; which++) {
        double[] x = inputs[which].toDoubleArray(), numeric = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          double h = 1e-6, saved = x[i];
          x[i] = saved + h;
          double up = loss(inputs, which, x, w, scale, causal, qOffset);
          x[i] = saved - h;
          double down = loss(inputs, which, x, w, scale, causal, qOffset);
          x[i] = saved;
          numeric[i] = (up - down) / (2 * h);
        }
        assertClose(Tensor.of(numeric, inputs[which].shape()), analytic[which], 0, 1e-7);
      }
    }
  }

  /** sum(attention(...) * w) with input {@code which} replaced by the values x. */
  private static double loss(Tensor[] inputs, int which, double[] x, Tensor w, double scale, boolean causal, int qOffset) {
    try (TensorScope s = TensorScope.open()) {
      Tensor[] in = inputs.clone();
      in[which] = Tensor.of(x, inputs[which].shape());
      Tensor out = Tensor.empty(DType.F64, in[0].shape());
      Reference.attention(out, null, in[0], in[1], in[2], scale, causal, qOffset);
      return out.mul(w).sum().item();
    }
  }

  @Test
  void keyRangesBalanceTheVisiblePairsAndCoverEveryKey() {
    int[] r = FlashAttention.keyRanges(4, 512, 512, true, 0);
    assertEquals(0, r[0]);
    assertEquals(512, r[4]);
    // Causal key j is seen by 512 - j queries: the first ranges are the shortest.
    assertTrue(r[1] < r[2] - r[1] && r[2] - r[1] < r[3] - r[2] && r[3] - r[2] < r[4] - r[3], java.util.Arrays.toString(r));
    assertArrayEquals(new int[] {0, 25, 50, 75, 100}, FlashAttention.keyRanges(4, 3, 100, false, 0));
    assertArrayEquals(new int[] {0, 0}, FlashAttention.keyRanges(1, 5, 0, true, 0));
  }

  /** The model's layouts (head views of (B, T, H, D) projections) take the vector kernels; F64 does not. */
  @Test
  void vectorKernelsCoverTheModelLayouts() {
    if (!Simd.ENABLED) return;
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(9);
      Tensor q = TestTensors.uniform(rnd, DType.F32, -1, 1, 1, 17, 14, 64).permute(0, 2, 1, 3);
      Tensor k = TestTensors.uniform(rnd, DType.F32, -1, 1, 1, 17, 2, 64).permute(0, 2, 1, 3);
      assertTrue(TrainingAttention.vectorRows(q, k, k, Tensor.empty(DType.F32, 1, 14, 17, 64)));
      assertFalse(TrainingAttention.vectorRows(q.to(DType.F64), k.to(DType.F64)));
      assertFalse(TrainingAttention.vectorRows(q.transpose(2, 3)));
    }
  }
}

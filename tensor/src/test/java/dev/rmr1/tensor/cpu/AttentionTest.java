package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.TestTensors.assertClose;
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

/** Scaled dot-product attention (online-softmax fast path) against the scalar Reference, and its algebra. */
class AttentionTest {
  /**
   * (B, H, T, D) in the layout the model produces half the time: a (B, T, H, D) projection viewed
   * with permute(0, 2, 1, 3) (rows of stride 1, heads interleaved); otherwise dense.
   */
  static Tensor heads(Random rnd, DType dt, double range, int b, int h, int t, int d) {
    if (rnd.nextBoolean()) return TestTensors.uniform(rnd, dt, -range, range, b, h, t, d);
    try (Tensor proj = TestTensors.uniform(rnd, dt, -range, range, b, t, h, d)) {
      return proj.permute(0, 2, 1, 3);
    }
  }

  @Provide
  Arbitrary<DType> floats() {
    return Arbitraries.of(DType.F32, DType.F32, DType.BF16, DType.F64);
  }

  @Property(tries = 50)
  void attentionMatchesReference(@ForAll("floats") DType dt, @ForAll boolean causal, @ForAll boolean decode, @ForAll long seed) {
    Random rnd = new Random(seed);
    int b = 1 + rnd.nextInt(2), hkv = 1 + rnd.nextInt(3), group = 1 + rnd.nextInt(3);
    int d = new int[] {1, 5, 16, 17, 64}[rnd.nextInt(5)];
    // Key counts past KEY_BLOCK (128) exercise the rescaling between blocks.
    int tk = new int[] {0, 1, 2, 7, 33, 129, 300}[rnd.nextInt(7)];
    int tq = decode ? Math.min(1, tk) : causal ? rnd.nextInt(Math.min(tk, 40) + 1) : 1 + rnd.nextInt(12);
    // Causal queries are the last tq positions of a longer context, or an arbitrary window of it.
    int qOffset = decode ? Math.max(0, tk - 1) : causal ? (rnd.nextBoolean() ? tk - tq : rnd.nextInt(tk - tq + 1)) : 0;
    double scale = rnd.nextBoolean() ? 1 / Math.sqrt(d) : 2.0; // 2.0 makes peaked softmaxes
    try (TensorScope s = TensorScope.open()) {
      Tensor q = heads(rnd, dt, 2, b, hkv * group, tq, d);
      Tensor k = heads(rnd, dt, 2, b, hkv, tk, d);
      Tensor v = heads(rnd, dt, 3, b, hkv, tk, d);
      Tensor got = Tensor.attention(q, k, v, scale, causal, qOffset);
      Tensor ref = Tensor.empty(dt, q.shape());
      Reference.attention(ref, q, k, v, scale, causal, qOffset);
      // Outputs are convex combinations of v rows (|v| <= 3): an absolute tolerance fits. In F32 a
      // logit scale * q.k (|q|, |k| <= 2) carries a rounding error of a few ulps of its magnitude,
      // up to scale * 4d, and each softmax weight inherits it: 3 * 2 ulp(scale * 4d) bounds the output.
      double f32 = Math.max(2e-5, 3 * 2 * Math.ulp((float) (scale * 4 * d)));
      assertClose(ref, got, dt == DType.BF16 ? 2 : 0, dt == DType.F64 ? 1e-12 : dt == DType.BF16 ? 0.02 : f32);
    }
  }

  @Test
  void oneKeyGivesItsValueAndEqualKeysGiveTheMeanValue() {
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(6);
      Tensor q = TestTensors.uniform(rnd, DType.F32, -1, 1, 2, 4, 5, 64);
      Tensor k1 = TestTensors.uniform(rnd, DType.F32, -1, 1, 2, 2, 1, 64);
      Tensor v1 = TestTensors.uniform(rnd, DType.F32, -1, 1, 2, 2, 1, 64);
      // One key: every query of a group returns that key's value.
      Tensor out = Tensor.attention(q, k1, v1, 0.125, false, 0);
      Tensor expected = v1.unsqueeze(2).expand(2, 2, 2, 5, 64).reshape(2, 4, 5, 64);
      assertClose(expected, out, 0, 1e-6);
      // Identical keys: uniform weights, so the output is the mean of the values.
      Tensor kSame = k1.expand(2, 2, 300, 64).contiguous();
      Tensor v = TestTensors.uniform(rnd, DType.F32, -1, 1, 2, 2, 300, 64);
      Tensor mean = v.mean(2, true).unsqueeze(2).expand(2, 2, 2, 5, 64).reshape(2, 4, 5, 64);
      assertClose(mean, Tensor.attention(q, kSame, v, 0.125, false, 0), 0, 1e-6);
    }
  }

  @Test
  void groupedHeadsEqualRepeatedKeyValueHeads() {
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(7);
      int hq = 14, hkv = 2, g = hq / hkv, t = 37, d = 64;
      Tensor q = TestTensors.uniform(rnd, DType.F32, -1, 1, 1, hq, t, d);
      Tensor k = TestTensors.uniform(rnd, DType.F32, -1, 1, 1, hkv, t, d);
      Tensor v = TestTensors.uniform(rnd, DType.F32, -1, 1, 1, hkv, t, d);
      // repeat_interleave along heads: query head h uses KV head h / g (Hugging Face repeat_kv).
      Tensor kr = k.unsqueeze(2).expand(1, hkv, g, t, d).reshape(1, hq, t, d);
      Tensor vr = v.unsqueeze(2).expand(1, hkv, g, t, d).reshape(1, hq, t, d);
      assertClose(Tensor.attention(q, kr, vr, 0.125, true, 0), Tensor.attention(q, k, v, 0.125, true, 0), 0, 1e-6);
    }
  }

  @Test
  void decodeStepEqualsTheLastRowOfPrefillAndFirstQuerySeesOnlyKeyZero() {
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(8);
      int t = 150, d = 64; // two key blocks
      Tensor q = TestTensors.uniform(rnd, DType.F32, -2, 2, 1, 6, t, d);
      Tensor k = TestTensors.uniform(rnd, DType.F32, -2, 2, 1, 2, t, d);
      Tensor v = TestTensors.uniform(rnd, DType.F32, -2, 2, 1, 2, t, d);
      Tensor prefill = Tensor.attention(q, k, v, 0.125, true, 0);
      Tensor step = Tensor.attention(q.narrow(2, t - 1, 1), k, v, 0.125, true, t - 1);
      assertClose(prefill.narrow(2, t - 1, 1).contiguous(), step, 0, 1e-6);
      Tensor first = prefill.narrow(2, 0, 1).contiguous();
      assertClose(v.narrow(2, 0, 1).unsqueeze(2).expand(1, 2, 3, 1, d).reshape(1, 6, 1, d), first, 0, 1e-6);
    }
  }

  /** The claims of Attention: the model's layouts take the online-softmax kernel. */
  @Test
  void fastPathCoversTheModelLayouts() {
    if (!Simd.ENABLED) return;
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(9);
      Tensor q = TestTensors.uniform(rnd, DType.F32, -1, 1, 1, 17, 14, 64).permute(0, 2, 1, 3);
      Tensor k = TestTensors.uniform(rnd, DType.F32, -1, 1, 1, 17, 2, 64).permute(0, 2, 1, 3);
      Tensor out = Tensor.empty(DType.F32, 1, 14, 17, 64);
      assertTrue(Attention.tryAttention(out, q, k, k, 0.125, true, 0));
      assertTrue(Attention.tryAttention(Tensor.empty(DType.F32, 1, 14, 1, 64), q.narrow(2, 16, 1), k, k, 0.125, true, 16), "decode");
      assertFalse(Attention.tryAttention(Tensor.empty(DType.F64, 1, 14, 17, 64), q.to(DType.F64), k.to(DType.F64), k.to(DType.F64), 0.125, true, 0));
    }
  }
}

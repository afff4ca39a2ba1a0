package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.TestTensors.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.TestTensors;
import dev.rmr1.tensor.TestTensors.Layout;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** RMSNorm and rotary embedding (fast paths through the backend) against the scalar Reference. */
class NormsTest {
  @Provide
  Arbitrary<int[]> shapes() {
    return TestTensors.shapes(1, 4, 3000);
  }

  @Provide
  Arbitrary<DType> floats() {
    return Arbitraries.of(DType.F32, DType.F32, DType.BF16, DType.F64);
  }

  @Property(tries = 80)
  void rmsNormMatchesReference(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll boolean bf16Weight, @ForAll long seed) {
    Random rnd = new Random(seed);
    int c = shape[shape.length - 1];
    double eps = rnd.nextBoolean() ? 1e-6 : 1e-2;
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -3, 3, shape);
      Tensor w = TestTensors.view(rnd, rnd.nextBoolean() ? Layout.DENSE : Layout.STRIDED, bf16Weight && dt == DType.F32 ? DType.BF16 : dt, 0.5, 2, c);
      Tensor ref = Tensor.empty(dt, shape);
      Reference.rmsNorm(ref, x, w, eps);
      assertClose(ref, x.rmsNorm(w, eps), dt == DType.BF16 ? 1 : dt == DType.F64 ? 0 : 4, 0);
    }
  }

  @Test
  void rmsNormByHand() {
    try (TensorScope s = TensorScope.open()) {
      // rms([3, 4]) = sqrt(12.5); weight [1, 2].
      Tensor out = Tensor.of(new float[] {3, 4}, 1, 2).rmsNorm(Tensor.of(new float[] {1, 2}, 2), 0);
      float r = (float) Math.sqrt(12.5);
      assertArrayEquals(new float[] {3 / r, 8 / r}, out.toFloatArray(), 1e-6f);
      // With unit weights the output has mean square 1 (eps small against the mean square).
      Tensor x = TestTensors.uniform(new Random(3), DType.F32, -2, 2, 7, 896);
      Tensor y = x.rmsNorm(Tensor.ones(DType.F32, 896), 1e-6);
      for (double ms : y.square().mean(-1, false).toDoubleArray()) assertEquals(1.0, ms, 1e-5);
    }
  }

  /** cos and sin tables (T, D) of the Hugging Face rotary embedding, positions {@code start..start+T-1}. */
  static Tensor[] rotaryTables(DType dt, int start, int t, int d, double theta) {
    double[] cos = new double[t * d], sin = new double[t * d];
    for (int p = 0; p < t; p++)
      for (int i = 0; i < d / 2; i++) {
        double angle = (start + p) / Math.pow(theta, 2.0 * i / d);
        cos[p * d + i] = cos[p * d + i + d / 2] = Math.cos(angle);
        sin[p * d + i] = sin[p * d + i + d / 2] = Math.sin(angle);
      }
    return new Tensor[] {Tensor.of(Device.CPU, dt, cos, t, d), Tensor.of(Device.CPU, dt, sin, t, d)};
  }

  @Property(tries = 80)
  void ropeMatchesReference(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    int[] sh = shape.length == 1 ? new int[] {3, shape[0]} : shape.clone();
    int r = sh.length;
    sh[r - 1] = 2 * Math.max(1, sh[r - 1] / 2) + (sh[r - 1] > 20 ? 32 : 0); // even head dims, some past a vector
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -3, 3, sh);
      // Hugging Face tables repeat their halves; arbitrary tables check each element's own cos and sin.
      Tensor[] cs = rnd.nextBoolean() ? rotaryTables(dt, rnd.nextInt(100), sh[r - 2], sh[r - 1], 10000)
          : new Tensor[] {TestTensors.uniform(rnd, dt, -1, 1, sh[r - 2], sh[r - 1]), TestTensors.uniform(rnd, dt, -1, 1, sh[r - 2], sh[r - 1])};
      Tensor ref = Tensor.empty(dt, sh);
      Reference.rope(ref, x, cs[0].expand(sh), cs[1].expand(sh));
      // out = x1 c - x2 s can cancel: the error scales with |x|, not with the result.
      assertClose(ref, x.rope(cs[0], cs[1]), dt == DType.BF16 ? 1 : dt == DType.F64 ? 0 : 4, dt == DType.F64 ? 0 : dt == DType.BF16 ? 0.02 : 2e-6);
    }
  }

  @Test
  void ropeRotatesPairsAndDependsOnlyOnRelativePosition() {
    int d = 64, t = 9;
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(4);
      Tensor q = TestTensors.uniform(rnd, DType.F32, -1, 1, 1, t, d);
      Tensor k = TestTensors.uniform(rnd, DType.F32, -1, 1, 1, t, d);
      Tensor[] at0 = rotaryTables(DType.F32, 0, t, d, 10000), at5 = rotaryTables(DType.F32, 5, t, d, 10000);
      // Position 0 is the identity.
      assertArrayEquals(q.select(1, 0).toFloatArray(), q.rope(at0[0], at0[1]).select(1, 0).toFloatArray(), 1e-7f);
      // Rotations keep norms.
      assertClose(q.square().sum(-1, false), q.rope(at5[0], at5[1]).square().sum(-1, false), 16, 1e-5);
      // <rope(q, m), rope(k, n)> depends on m - n only: shifting both positions by 5 changes nothing.
      Tensor dots0 = q.rope(at0[0], at0[1]).matmul(k.rope(at0[0], at0[1]).transpose(1, 2));
      Tensor dots5 = q.rope(at5[0], at5[1]).matmul(k.rope(at5[0], at5[1]).transpose(1, 2));
      assertClose(dots0, dots5, 64, 1e-4);
    }
  }

  /** The claims of Norms: which layouts take the vector path. */
  @Test
  void fastPathCoversTheCommonLayouts() {
    if (!Simd.ENABLED) return;
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(5);
      Tensor x = TestTensors.uniform(rnd, DType.F32, -1, 1, 2, 14, 9, 64);
      Tensor w = Tensor.ones(DType.F32, 64);
      assertTrue(Norms.tryRmsNorm(Tensor.empty(DType.F32, 2, 14, 9, 64), x, w, 1e-6));
      assertTrue(Norms.tryRmsNorm(Tensor.empty(DType.F32, 2, 14, 9, 64), x, w.to(DType.BF16), 1e-6), "BF16 weight");
      Tensor[] cs = rotaryTables(DType.F32, 0, 9, 64, 10000);
      int[] sh = x.shape();
      assertTrue(Norms.tryRope(Tensor.empty(DType.F32, sh), x, cs[0].expand(sh), cs[1].expand(sh)));
      // The head-split view of a (B, T, H, D) projection has dense rows too.
      Tensor proj = TestTensors.uniform(rnd, DType.F32, -1, 1, 2, 9, 14, 64).permute(0, 2, 1, 3);
      assertTrue(Norms.tryRope(Tensor.empty(DType.F32, sh), proj, cs[0].expand(sh), cs[1].expand(sh)));
      assertFalse(Norms.tryRmsNorm(Tensor.empty(DType.F32, 2, 14, 64, 9), x.transpose(2, 3), Tensor.ones(DType.F32, 9), 1e-6));
    }
  }
}

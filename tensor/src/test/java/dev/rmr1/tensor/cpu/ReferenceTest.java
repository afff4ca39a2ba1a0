package dev.rmr1.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.ReduceOp;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.UnaryOp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scalar Reference kernels (which every fast path is tested against) checked on small cases
 * against values computed by hand or quoted from PyTorch's documentation.
 */
class ReferenceTest {
  private TensorScope scope;

  @BeforeEach
  void open() {
    scope = TensorScope.open();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  static Tensor f64(double[] v, int... shape) {
    return Tensor.of(v, shape);
  }

  static double[] run(Tensor out) {
    return out.toDoubleArray();
  }

  @Test
  void unaryValues() {
    Tensor x = f64(new double[] {0, 1, -1, 2, 4, -0.0}, 6);
    double e = Math.E;
    Object[][] cases = {
        {UnaryOp.EXP, new double[] {1, e, 1 / e, e * e, Math.pow(e, 4), 1}},
        {UnaryOp.SIGMOID, new double[] {0.5, 0.7310585786300049, 0.2689414213699951, 0.8807970779778823, 0.9820137900379085, 0.5}},
        {UnaryOp.SILU, new double[] {0, 0.7310585786300049, -0.2689414213699951, 1.7615941559557646, 3.928055160151634, 0}},
        // GELU(1) = Phi(1) = 0.8413447460685429; tanh form 0.8411919906082768 (PyTorch's values).
        {UnaryOp.GELU, new double[] {0, 0.8413447460685429, -0.15865525393145707, 1.9544997361036416, 3.9998733150326676, 0}}, // 4 * Phi(4), Phi(4) = 0.9999683287581669
        {UnaryOp.GELU_TANH, new double[] {0, 0.8411919906082768, -0.15880800939172324, 1.9545976940871754, 3.9999297540518075, 0}},
        {UnaryOp.RELU, new double[] {0, 1, 0, 2, 4, 0}},
        {UnaryOp.SQUARE, new double[] {0, 1, 1, 4, 16, 0}},
        {UnaryOp.RSQRT, new double[] {Double.POSITIVE_INFINITY, 1, Double.NaN, 1 / Math.sqrt(2), 0.5, Double.NEGATIVE_INFINITY}},
        {UnaryOp.ABS, new double[] {0, 1, 1, 2, 4, 0}},
    };
    for (Object[] c : cases) {
      Tensor out = Tensor.empty(DType.F64, 6);
      Reference.unary((UnaryOp) c[0], out, x);
      assertArrayEquals((double[]) c[1], run(out), 1e-12, c[0].toString());
    }
    // ReLU of -0.0 is +0.0 (PyTorch's clamp_min(0) result), and NaN passes through.
    Tensor z = f64(new double[] {-0.0, Double.NaN}, 2), out = Tensor.empty(DType.F64, 2);
    Reference.unary(UnaryOp.RELU, out, z);
    assertEquals(0x0L, Double.doubleToRawLongBits(run(out)[0]));
    assertTrue(Double.isNaN(run(out)[1]));
  }

  @Test
  void binaryBroadcastAndNaN() {
    Tensor a = f64(new double[] {1, 2, 3, 4}, 2, 2), b = f64(new double[] {10, 20}, 2);
    Tensor out = Tensor.empty(DType.F64, 2, 2);
    Reference.binary(BinaryOp.SUB, out, a, b.expand(2, 2));
    assertArrayEquals(new double[] {-9, -18, -7, -16}, run(out));
    Reference.binary(BinaryOp.POW, out, a, f64(new double[] {3}, 1).expand(2, 2));
    assertArrayEquals(new double[] {1, 8, 27, 64}, run(out));
    Tensor n = f64(new double[] {Double.NaN, 1, -0.0, 5}, 4), m = f64(new double[] {0, Double.NaN, 0.0, 2}, 4);
    Tensor o = Tensor.empty(DType.F64, 4);
    Reference.binary(BinaryOp.MAXIMUM, o, n, m);
    double[] r = run(o);
    assertTrue(Double.isNaN(r[0]) && Double.isNaN(r[1]));
    assertEquals(0L, Double.doubleToRawLongBits(r[2]), "maximum(-0, +0) = +0");
    Tensor bo = Tensor.empty(DType.BOOL, 4);
    Reference.binary(BinaryOp.NE, bo, n, m);
    assertArrayEquals(new double[] {1, 1, 0, 1}, run(bo), "NaN != x holds; -0 == +0");
    Reference.binary(BinaryOp.LT, bo, n, m);
    assertArrayEquals(new double[] {0, 0, 0, 0}, run(bo));
  }

  @Test
  void reductionsOverDims() {
    Tensor x = f64(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor c = Tensor.empty(DType.F64, 1, 3), r = Tensor.empty(DType.F64, 2, 1), all = Tensor.empty(DType.F64, 1, 1);
    Reference.reduce(ReduceOp.SUM, c, x, new int[] {0});
    assertArrayEquals(new double[] {5, 7, 9}, run(c));
    Reference.reduce(ReduceOp.SUM, r, x, new int[] {1});
    assertArrayEquals(new double[] {6, 15}, run(r));
    Reference.reduce(ReduceOp.SUM, all, x, new int[] {0, 1});
    assertEquals(21, run(all)[0]);
    Reference.reduce(ReduceOp.MAX, all, x, new int[] {0, 1});
    assertEquals(6, run(all)[0]);
    Reference.reduce(ReduceOp.MIN, c, x, new int[] {0});
    assertArrayEquals(new double[] {1, 2, 3}, run(c));
    // logsumexp([0, log 3]) = log 4; of an empty dim, -inf.
    Tensor l = f64(new double[] {0, Math.log(3)}, 2), one = Tensor.empty(DType.F64, 1);
    Reference.reduce(ReduceOp.LOGSUMEXP, one, l, new int[] {0});
    assertEquals(Math.log(4), run(one)[0], 1e-15);
    Reference.reduce(ReduceOp.LOGSUMEXP, one, Tensor.empty(DType.F64, 0), new int[] {0});
    assertEquals(Double.NEGATIVE_INFINITY, run(one)[0]);
    Reference.reduce(ReduceOp.SUM, one, Tensor.empty(DType.F64, 0), new int[] {0});
    assertEquals(0, run(one)[0]);
    Tensor ties = f64(new double[] {1, 3, 3, 2, 0, 2}, 2, 3), idx = Tensor.empty(DType.I64, 2, 1);
    Reference.reduce(ReduceOp.ARGMAX, idx, ties, new int[] {1});
    assertArrayEquals(new long[] {1, 0}, idx.toLongArray());
    Reference.reduce(ReduceOp.ARGMIN, idx, ties, new int[] {1});
    assertArrayEquals(new long[] {0, 1}, idx.toLongArray());
  }

  @Test
  void softmaxAndLogSoftmax() {
    Tensor x = f64(new double[] {1, 2, 3}, 1, 3), out = Tensor.empty(DType.F64, 1, 3);
    Reference.softmax(out, x, false);
    assertArrayEquals(new double[] {0.09003057317038046, 0.24472847105479767, 0.6652409557748219}, run(out), 1e-15);
    Reference.softmax(out, x, true);
    assertArrayEquals(new double[] {-2.4076059644443806, -1.4076059644443804, -0.40760596444438046}, run(out), 1e-15);
  }

  @Test
  void rmsNormRopeAttention() {
    // rms([1, 2, 3]) = sqrt(14 / 3); weight [1, 1, 2].
    Tensor out = Tensor.empty(DType.F64, 1, 3);
    Reference.rmsNorm(out, f64(new double[] {1, 2, 3}, 1, 3), f64(new double[] {1, 1, 2}, 3), 0);
    double rms = Math.sqrt(14.0 / 3);
    assertArrayEquals(new double[] {1 / rms, 2 / rms, 6 / rms}, run(out), 1e-15);
    // Rotate-half by 90 degrees: (x0, x1) -> (x0 cos - x1 sin, x1 cos + x0 sin) = (-x1, x0).
    Tensor r = Tensor.empty(DType.F64, 1, 2), cos = f64(new double[] {0, 0}, 1, 2), sin = f64(new double[] {1, 1}, 1, 2);
    Reference.rope(r, f64(new double[] {1, 2}, 1, 2), cos, sin);
    assertArrayEquals(new double[] {-2, 1}, run(r), 1e-15);
    // One query [1, 0] against keys [1, 0] and [0, 1]: weights e/(e+1), 1/(e+1) on values [1, 2], [3, 4].
    Tensor q = f64(new double[] {1, 0, 1, 0}, 1, 2, 1, 2);
    Tensor k = f64(new double[] {1, 0, 0, 1}, 1, 1, 2, 2), v = f64(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
    Tensor a = Tensor.empty(DType.F64, 1, 2, 1, 2);
    Reference.attention(a, q, k, v, 1, false, 0);
    double p = Math.E / (Math.E + 1);
    double[] want = {p + 3 * (1 - p), 2 * p + 4 * (1 - p)};
    assertArrayEquals(new double[] {want[0], want[1], want[0], want[1]}, run(a), 1e-15); // both query heads share the KV head
    // Causal, query at position 0: sees only key 0.
    Reference.attention(a, q, k, v, 1, true, 0);
    assertArrayEquals(new double[] {1, 2, 1, 2}, run(a), 1e-15);
  }

  @Test
  void indexingAndScans() {
    // PyTorch's gather example: [[1, 2], [3, 4]].gather(1, [[0, 0], [1, 0]]) = [[1, 1], [4, 3]].
    Tensor x = f64(new double[] {1, 2, 3, 4}, 2, 2), g = Tensor.empty(DType.F64, 2, 2);
    Reference.gather(g, x, 1, Tensor.ofLongs(new long[] {0, 0, 1, 0}, 2, 2));
    assertArrayEquals(new double[] {1, 1, 4, 3}, run(g));
    Tensor dst = Tensor.zeros(DType.F64, 3);
    Reference.scatterAdd(dst, 0, Tensor.ofLongs(new long[] {0, 1, 0}, 3), f64(new double[] {1, 2, 3}, 3));
    assertArrayEquals(new double[] {4, 2, 0}, run(dst));
    Tensor sel = Tensor.empty(DType.F64, 2, 2);
    Reference.indexSelect(sel, x, 0, Tensor.ofInts(new int[] {1, 1}, 2));
    assertArrayEquals(new double[] {3, 4, 3, 4}, run(sel));
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> Reference.indexSelect(sel, x, 0, Tensor.ofInts(new int[] {2, 0}, 2)));
    assertTrue(e.getMessage().contains("indexSelect") && e.getMessage().contains("2"), e.getMessage());
    Tensor cs = Tensor.empty(DType.F64, 2, 2);
    Reference.cumsum(cs, x, 0);
    assertArrayEquals(new double[] {1, 2, 4, 6}, run(cs));
    Reference.cumsum(cs, x, 1);
    assertArrayEquals(new double[] {1, 3, 3, 7}, run(cs));
    Tensor vals = Tensor.empty(DType.F64, 3), idx = Tensor.empty(DType.I64, 3);
    Reference.topk(vals, idx, f64(new double[] {3, 1, 3, 2}, 4), 3);
    assertArrayEquals(new double[] {3, 3, 2}, run(vals));
    assertArrayEquals(new long[] {0, 2, 3}, idx.toLongArray());
    Tensor v1 = Tensor.empty(DType.F64, 1), i1 = Tensor.empty(DType.I64, 1);
    Reference.topk(v1, i1, f64(new double[] {1, Double.NaN, 2}, 3), 1);
    assertArrayEquals(new long[] {1}, i1.toLongArray(), "NaN is the largest");
  }

  @Test
  void castsRoundAndTruncate() {
    Tensor f = f64(new double[] {2.5, -2.7, 1 + 0x1p-11, 1 + 3 * 0x1p-11, 65520, 1 + 0x1p-8, 5, 0}, 8);
    Tensor i32 = Tensor.empty(DType.I32, 8), f16 = Tensor.empty(DType.F16, 8), bf = Tensor.empty(DType.BF16, 8), bool = Tensor.empty(DType.BOOL, 8);
    Reference.copy(i32, f);
    assertArrayEquals(new long[] {2, -2, 1, 1, 65520, 1, 5, 0}, i32.toLongArray(), "floats truncate toward zero");
    Reference.copy(f16, f);
    double[] h = run(f16);
    assertEquals(1.0, h[2], "F16 tie 1 + 2^-11 rounds to even (1)");
    assertEquals(1 + 0x1p-9, h[3], "F16 tie 1 + 3 * 2^-11 rounds to even (1 + 2^-9)");
    assertEquals(Double.POSITIVE_INFINITY, h[4], "65520 rounds up past F16's max 65504");
    Reference.copy(bf, f);
    assertEquals(1.0, run(bf)[5], "BF16 tie 1 + 2^-8 rounds to even (1)");
    Reference.copy(bool, f);
    assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 1, 0}, run(bool), "nonzero is true");
    Tensor back = Tensor.empty(DType.F32, 8);
    Reference.copy(back, bool);
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 0}, back.toFloatArray());
    Tensor big = Tensor.ofLongs(new long[] {(1L << 53) + 1}, 1), big2 = Tensor.empty(DType.I64, 1);
    Reference.copy(big2, big);
    assertEquals((1L << 53) + 1, big2.toLongArray()[0], "integer to integer copies are exact beyond 2^53");
  }

  @Test
  void whereAndFill() {
    Tensor out = Tensor.empty(DType.F64, 3);
    Tensor cond = Tensor.of(Device.CPU, DType.BOOL, new double[] {1, 0, 1}, 3);
    Reference.where(out, cond, f64(new double[] {1, 2, 3}, 3), f64(new double[] {-1}, 1).expand(3));
    assertArrayEquals(new double[] {1, -1, 3}, run(out));
    Reference.fill(out, 7.5);
    assertArrayEquals(new double[] {7.5, 7.5, 7.5}, run(out));
  }
}

package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.TestTensors.assertClose;
import static dev.rmr1.tensor.TestTensors.assertSame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.TestTensors;
import dev.rmr1.tensor.TestTensors.Layout;
import dev.rmr1.tensor.UnaryOp;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The element-wise primitives (fast paths through the backend) against the scalar Reference. */
class ElementwiseTest {
  @Provide
  Arbitrary<int[]> shapes() {
    return TestTensors.shapes(0, 4, 3000);
  }

  @Provide
  Arbitrary<DType> floats() {
    return Arbitraries.of(DType.F32, DType.F32, DType.BF16, DType.F64);
  }

  /** Allowed error in units of the dtype's spacing: exact IEEE ops 0, our exp 2, library functions 4. */
  static double ulps(UnaryOp op, DType dt) {
    boolean exact = switch (op) {
      case NEG, ABS, SQRT, SQUARE, RELU, RECIPROCAL -> true;
      default -> false;
    };
    if (exact || dt == DType.F64) return 0;
    return dt == DType.BF16 ? 1 : op == UnaryOp.EXP ? 2 : 4;
  }

  /** Domain of the op's inputs: positive for log and roots, else both signs. */
  static double[] range(UnaryOp op) {
    return switch (op) {
      case LOG, SQRT, RSQRT -> new double[] {0.01, 20};
      case EXP, SIGMOID, SILU, GELU, GELU_TANH -> new double[] {-20, 20};
      default -> new double[] {-6, 6};
    };
  }

  @Property(tries = 80)
  void unaryMatchesReference(@ForAll("shapes") int[] shape, @ForAll UnaryOp op, @ForAll("floats") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    double[] r = range(op);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, r[0], r[1], shape);
      Tensor ref = Tensor.empty(dt, shape);
      Reference.unary(op, ref, x);
      assertUnaryClose(op, x, ref, x.apply(op), ulps(op, dt), 0);
    }
  }

  /**
   * Forward error bound of a float evaluation: ulps * (1 + cond) ulps of the result, where
   * cond = |x f'(x) / f(x)| is the function's condition number (the amplification of the input's own
   * rounding). Tight where f is well conditioned; looser only where no float code can do better
   * (sin near pi, GELU's far negative tail).
   */
  static void assertUnaryClose(UnaryOp op, Tensor x, Tensor ref, Tensor got, double ulps, double atol) {
    double[] xs = x.toDoubleArray(), e = ref.toDoubleArray(), a = got.toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      if (e[i] == a[i] || (Double.isNaN(e[i]) && Double.isNaN(a[i]))) continue;
      double h = 1e-7 * Math.abs(xs[i]);
      double f = op.apply(xs[i]);
      double cond = h == 0 || f == 0 ? 0 : Math.abs((op.apply(xs[i] + h) - op.apply(xs[i] - h)) / (2 * h) * xs[i] / f);
      // UnaryOp's GELU_TANH evaluates 1 + tanh(u), which cancels for x << 0 (exactly 0 below x = -8
      // even in double) while the kernel's x * sigmoid(2u) keeps the tail: allow the reference's own error.
      double refError = op == UnaryOp.GELU_TANH ? Math.abs(xs[i]) * 0x1p-52 : 0;
      double allowed = ulps * (1 + Math.min(cond, 1e4)) * TestTensors.ulp(ref.dtype(), e[i]) + atol + refError;
      assertTrue(!Double.isInfinite(e[i]) && Math.abs(a[i] - e[i]) <= allowed,
          op + "(" + xs[i] + ") " + ref.dtype() + ": expected " + e[i] + " but got " + a[i] + " (allowed error " + allowed + ", cond " + cond + ")");
    }
  }

  @Test
  void unarySpecialValues() {
    double[] v = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1e-30, -1e-30, 88.7, 89, -87.5, -103,
        -104, -200, 1e30, -1e30, 0.5, -0.5, 3.4e38, -3.4e38};
    try (TensorScope s = TensorScope.open()) {
      for (DType dt : new DType[] {DType.F32, DType.BF16}) {
        Tensor x = Tensor.of(Device.CPU, dt, v, v.length);
        for (UnaryOp op : UnaryOp.values()) {
          Tensor ref = Tensor.empty(dt, v.length);
          Reference.unary(op, ref, x);
          // Far from 0 the library functions (sin, cos of 1e30) may differ by more; their
          // results lie in [-1, 1], so a small absolute error is still checked. The sigmoid
          // family computes 1 + exp(-x) in float, as PyTorch does, so results that would be
          // subnormal (x < -88) come out as 0.
          double atol = switch (op) {
            case SIN, COS -> 1e-6;
            case SIGMOID, SILU, GELU_TANH -> Float.MIN_NORMAL;
            default -> 0;
          };
          assertUnaryClose(op, x, ref, x.apply(op), ulps(op, dt), atol);
        }
      }
    }
  }

  /** Our vector exp over the whole float range, subnormal results included, within 2 ulps of Math.exp. */
  @Test
  void expIsAccurateOverTheFloatRange() {
    int n = 200_001;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = -104f + 193f * i / (n - 1);
    try (Tensor t = Tensor.of(x, n); Tensor e = t.exp()) {
      float[] got = e.toFloatArray();
      double worst = 0;
      for (int i = 0; i < n; i++) {
        float want = (float) Math.exp(x[i]);
        double err = Math.abs(got[i] - want) / Math.ulp(want);
        if (Float.isInfinite(want)) assertEquals(want, got[i], "exp(" + x[i] + ")");
        else worst = Math.max(worst, err);
      }
      assertTrue(worst <= 2, "worst error " + worst + " ulps");
    }
  }

  /** An operand shape broadcastable to {@code out}: some leading dims dropped, some dims set to 1. */
  static int[] broadcastOperand(Random rnd, int[] out) {
    int drop = rnd.nextInt(out.length + 1);
    int[] s = Arrays.copyOfRange(out, rnd.nextInt(3) == 0 ? drop : 0, out.length);
    for (int i = 0; i < s.length; i++) if (rnd.nextInt(3) == 0) s[i] = 1;
    return s;
  }

  /** Values for op: small integers for comparisons and max/min (so ties occur), positive bases for pow. */
  static Tensor operand(Random rnd, BinaryOp op, boolean first, DType dt, int[] shape) {
    Layout layout = TestTensors.anyLayout(rnd);
    if (op.isComparison() || op == BinaryOp.MAXIMUM || op == BinaryOp.MINIMUM) return TestTensors.view(rnd, layout, dt, -3, 3, true, shape);
    if (op == BinaryOp.POW) return first ? TestTensors.view(rnd, layout, dt, 0.1, 4, shape) : TestTensors.view(rnd, layout, dt, -3, 3, shape);
    return TestTensors.view(rnd, layout, dt, -4, 4, shape);
  }

  @Property(tries = 100)
  void binaryWithBroadcastingMatchesReference(@ForAll("shapes") int[] shape, @ForAll BinaryOp op, @ForAll("floats") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    try (TensorScope s = TensorScope.open()) {
      Tensor a = operand(rnd, op, true, dt, broadcastOperand(rnd, shape));
      Tensor b = operand(rnd, op, false, dt, broadcastOperand(rnd, shape));
      Tensor got = a.apply(op, b);
      int[] out = got.shape();
      Tensor ref = Tensor.empty(op.isComparison() ? DType.BOOL : dt, out);
      Reference.binary(op, ref, a.expand(out), b.expand(out));
      // + - * / max min and comparisons are exact in float; pow is a library function.
      assertClose(ref, got, op == BinaryOp.POW && dt != DType.F64 ? (dt == DType.BF16 ? 1 : 4) : 0, 0);
    }
  }

  @Property(tries = 60)
  void inPlaceBinaryMatchesReference(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    BinaryOp op = new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAXIMUM}[rnd.nextInt(5)];
    try (TensorScope s = TensorScope.open()) {
      Layout layout = TestTensors.anyLayout(rnd);
      if (layout == Layout.BROADCAST) layout = Layout.NARROWED; // an in-place target cannot be broadcast
      Tensor x = TestTensors.view(rnd, layout, dt, -4, 4, shape);
      Tensor other = operand(rnd, op, false, dt, broadcastOperand(rnd, shape));
      Tensor before = x.copy();
      Tensor ref = Tensor.empty(dt, shape);
      Reference.binary(op, ref, before, other.expand(shape));
      x.applyInPlace(op, other);
      assertSame(ref, x);
    }
  }

  @Property(tries = 60)
  void whereMatchesReference(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    try (TensorScope s = TensorScope.open()) {
      Tensor c = TestTensors.view(rnd, TestTensors.anyLayout(rnd), DType.F32, -1, 1, broadcastOperand(rnd, shape)).gt(0);
      Tensor a = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -4, 4, broadcastOperand(rnd, shape));
      Tensor b = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -4, 4, broadcastOperand(rnd, shape));
      Tensor got = Tensor.where(c, a, b);
      int[] out = got.shape();
      Tensor ref = Tensor.empty(dt, out);
      Reference.where(ref, c.expand(out), a.expand(out), b.expand(out));
      assertSame(ref, got);
    }
  }

  @Property(tries = 60)
  void fillMatchesReference(@ForAll("shapes") int[] shape, @ForAll DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    double value = new double[] {0.0, -0.0, 1.0, -2.5, 1.0 / 3, Double.NaN, 7}[rnd.nextInt(7)];
    if (!dt.isFloating() && Double.isNaN(value)) value = 3;
    Layout layout = TestTensors.anyLayout(rnd);
    if (layout == Layout.BROADCAST) layout = Layout.PERMUTED;
    try (TensorScope s = TensorScope.open()) {
      Tensor got = TestTensors.view(rnd, layout, dt, 0, 2, shape);
      Tensor ref = got.copy();
      Reference.fill(ref, value);
      got.fill(value);
      assertSame(ref, got);
    }
  }

  /** Every dtype pair, any source layout, dense or strided destination: bit-exact with Reference. */
  @Property(tries = 120)
  void copyAndCastMatchReference(@ForAll("shapes") int[] shape, @ForAll DType from, @ForAll DType to, @ForAll boolean stridedDst, @ForAll long seed) {
    Random rnd = new Random(seed);
    double lo = from.isFloating() && to.isFloating() ? -1e5 : 0, hi = from.isFloating() && to.isFloating() ? 1e5 : 100;
    try (TensorScope s = TensorScope.open()) {
      Tensor src = TestTensors.view(rnd, TestTensors.anyLayout(rnd), from, lo, hi, shape);
      Tensor dst = TestTensors.view(rnd, stridedDst ? Layout.STRIDED : Layout.DENSE, to, 0, 1, shape);
      Tensor ref = Tensor.empty(to, shape);
      Reference.copy(ref, src);
      dst.copyFrom(src);
      assertSame(ref, dst);
    }
  }

  /** F32 to BF16 rounds to nearest even, including ties, overflow to infinity and NaN. */
  @Test
  void bf16CastRoundsLikeTheScalarDefinition() {
    float[] v = new float[4099];
    Random rnd = new Random(7);
    for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat(rnd.nextInt());
    v[0] = 1f + 0x1p-8f; // a tie: rounds down to even
    v[1] = 1f + 0x1p-7f + 0x1p-8f; // a tie: rounds up to even
    v[2] = Float.MAX_VALUE; // rounds up to infinity
    v[3] = Float.NaN;
    v[4] = -0f;
    try (Tensor t = Tensor.of(v, v.length); Tensor b = t.to(DType.BF16); Tensor back = b.to(DType.F32)) {
      float[] got = back.toFloatArray();
      for (int i = 0; i < v.length; i++) {
        float want = DType.bf16ToFloat(DType.floatToBf16(v[i]));
        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i]), "bf16(" + v[i] + ")");
      }
    }
  }

  /** The claims of Elementwise: which layouts take the vector path (the rest fall back). */
  @Test
  void fastPathCoversTheCommonLayouts() {
    if (!Simd.ENABLED) return;
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(1);
      Tensor x = TestTensors.uniform(rnd, DType.F32, -1, 1, 37, 45);
      Tensor row = TestTensors.uniform(rnd, DType.F32, -1, 1, 45);
      Tensor col = TestTensors.uniform(rnd, DType.F32, -1, 1, 37, 1);
      Tensor one = Tensor.scalar(Device.CPU, DType.F32, 2);
      Tensor out = Tensor.empty(DType.F32, 37, 45);
      int[] sh = {37, 45};
      assertTrue(Elementwise.tryUnary(UnaryOp.SILU, out, x), "dense unary");
      assertTrue(Elementwise.tryBinary(BinaryOp.ADD, out, x, x), "dense + dense");
      assertTrue(Elementwise.tryBinary(BinaryOp.ADD, out, x, row.expand(sh)), "(T,C) + (C)");
      assertTrue(Elementwise.tryBinary(BinaryOp.MUL, out, x, col.expand(sh)), "(T,C) * (T,1)");
      assertTrue(Elementwise.tryBinary(BinaryOp.DIV, out, x, one.expand(sh)), "tensor / scalar");
      assertTrue(Elementwise.tryBinary(BinaryOp.ADD, x, x, row.expand(sh)), "in place");
      assertTrue(Elementwise.tryBinary(BinaryOp.LT, Tensor.empty(DType.BOOL, sh), x, row.expand(sh)), "comparison");
      assertTrue(Elementwise.tryWhere(out, x.gt(0), x, one.expand(sh)), "where");
      assertTrue(Elementwise.tryFill(out, 1.5), "fill");
      assertTrue(Elementwise.tryCopy(Tensor.empty(DType.BF16, sh), x), "cast F32 -> BF16");
      assertTrue(Elementwise.tryCopy(Tensor.empty(DType.F32, 45, 37), x.transpose(0, 1)), "same-dtype transpose copy");
      Tensor b = x.to(DType.BF16);
      assertTrue(Elementwise.tryUnary(UnaryOp.EXP, Tensor.empty(DType.BF16, sh), b), "BF16 unary");
      // Not covered: F64 arithmetic, strided inputs, GELU (exact erf), integer casts.
      Tensor d = x.to(DType.F64);
      assertFalse(Elementwise.tryUnary(UnaryOp.EXP, Tensor.empty(DType.F64, sh), d));
      assertFalse(Elementwise.tryBinary(BinaryOp.ADD, Tensor.empty(DType.F32, 45, 37), x.transpose(0, 1), x.transpose(0, 1)));
      assertFalse(Elementwise.tryUnary(UnaryOp.GELU, out, x));
      assertFalse(Elementwise.tryCopy(Tensor.empty(DType.I64, sh), x));
    }
  }
}

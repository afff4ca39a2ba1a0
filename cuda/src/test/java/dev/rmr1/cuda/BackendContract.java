package dev.rmr1.cuda;

import static dev.rmr1.tensor.TestTensors.assertClose;
import static dev.rmr1.tensor.TestTensors.assertSame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.Backend;
import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.ReduceOp;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.TestTensors;
import dev.rmr1.tensor.TestTensors.Layout;
import dev.rmr1.tensor.UnaryOp;
import dev.rmr1.tensor.cpu.Reference;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every primitive of {@link Backend} on a device against the CPU scalar {@link Reference}, which
 * defines the semantics, on random shapes (odd sizes, size 1 and empty dims) and every layout the
 * contract allows: transposed, strided, offset and stride-0 broadcast inputs, strided outputs.
 * Inputs reach the device kernels as exactly these views ({@link DeviceTensors#mirror}) and results
 * are read back without device kernels ({@link DeviceTensors#fetch}).
 *
 * <p>Tolerances: the CUDA kernels compute in double like the reference, so they are usually exact
 * to the last bit; the bounds are those the CPU backend's float kernels meet (the host-memory test
 * device runs them), a few ulps, plus the summation-order error of reductions.
 */
abstract class BackendContract {
  abstract Device device();

  Backend backend() {
    return Backends.of(device());
  }

  Tensor on(Tensor cpu) {
    return DeviceTensors.mirror(cpu, device());
  }

  static Tensor back(Tensor dev) {
    return DeviceTensors.fetch(dev);
  }

  /** Layouts an output may have (any but a broadcast). */
  static Layout outLayout(Random rnd) {
    return new Layout[] {Layout.DENSE, Layout.PERMUTED, Layout.STRIDED, Layout.NARROWED}[rnd.nextInt(4)];
  }

  @Provide
  Arbitrary<int[]> shapes() {
    return TestTensors.shapes(0, 4, 3000);
  }

  @Provide
  Arbitrary<DType> floats() {
    return Arbitraries.of(DType.F32, DType.F32, DType.BF16, DType.F16, DType.F64);
  }

  @Provide
  Arbitrary<DType> all() {
    return Arbitraries.of(DType.values());
  }

  // ------------------------------------------------------------------ copy, fill

  @Property(tries = 40)
  void copyCastsBetweenEveryDtypeIntoAnyView(@ForAll("shapes") int[] shape, @ForAll("all") DType from, @ForAll("all") DType to,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    try (TensorScope s = TensorScope.open()) {
      // Out-of-range values make integer casts truncate and wrap (U8), as Reference does.
      Tensor src = TestTensors.view(rnd, TestTensors.anyLayout(rnd), from, -300, 300, shape);
      Tensor dst = TestTensors.view(rnd, outLayout(rnd), to, 0, 1, shape);
      Tensor dSrc = on(src), dDst = on(dst);
      backend().copy(dDst, dSrc);
      Reference.copy(dst, src);
      assertSame(dst, back(dDst));
    }
  }

  @Property(tries = 20)
  void integerCopiesKeepAll64Bits(@ForAll long a, @ForAll long b) {
    try (TensorScope s = TensorScope.open()) {
      Tensor src = Tensor.ofLongs(new long[] {a, b, Long.MIN_VALUE, Long.MAX_VALUE}, 4);
      for (DType to : new DType[] {DType.I64, DType.I32, DType.U8, DType.BOOL}) {
        Tensor dst = Tensor.empty(to, 4), dDst = on(dst);
        backend().copy(dDst, on(src));
        Reference.copy(dst, src);
        assertEquals(Arrays.toString(dst.toLongArray()), Arrays.toString(back(dDst).toLongArray()), "I64 -> " + to);
      }
    }
  }

  @Property(tries = 25)
  void fillWritesOnlyTheView(@ForAll("shapes") int[] shape, @ForAll("all") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    double value = new double[] {1.5, -7.25, 1e9, Double.NaN, 300}[rnd.nextInt(5)];
    try (TensorScope s = TensorScope.open()) {
      Tensor dst = TestTensors.view(rnd, outLayout(rnd), dt, -2, 2, shape);
      Tensor dDst = on(dst);
      backend().fill(dDst, value);
      Reference.fill(dst, value);
      // the whole storage: elements outside the view must be untouched
      Tensor all = Tensor.wrap(dst.storage(), DType.U8, new int[] {(int) dst.storage().byteSize()}, new long[] {1}, 0);
      Tensor dAll = Tensor.wrap(dDst.storage(), DType.U8, new int[] {(int) dDst.storage().byteSize()}, new long[] {1}, 0);
      assertSame(all, back(dAll));
    }
  }

  /**
   * Found by random samples on an H100: a NaN stored as F16 must keep Java's bits (the GPU's cvt
   * gives the canonical 0x7fff, Java 0x7e00), and GELU's far negative tail must not cancel.
   */
  @Example
  void f16NaNsAndTheGeluTailAsOnTheCpu() {
    try (TensorScope s = TensorScope.open()) {
      Tensor h = Tensor.zeros(DType.F16, 3), dh = on(h);
      backend().fill(dh, Double.NaN);
      Reference.fill(h, Double.NaN);
      assertSame(Tensor.wrap(h.storage(), DType.U8, new int[] {6}, new long[] {1}, 0), back(Tensor.wrap(dh.storage(), DType.U8, new int[] {6}, new long[] {1}, 0)));
      Tensor x = Tensor.of(new double[] {-8, -7.898523330688477, -7.289535045623779, -6, -3, 0.5}, 6).to(DType.F32), out = Tensor.empty(DType.F32, 6);
      Tensor dOut = on(out);
      backend().unary(UnaryOp.GELU, dOut, on(x));
      Reference.unary(UnaryOp.GELU, out, x);
      assertUnaryClose(UnaryOp.GELU, x, out, back(dOut), 4);
    }
  }

  /**
   * Found by random samples on an H100: doubles stored into integer types as Java's (long) cast
   * does, NaN to 0 (the GPU's 64-bit conversion gave Long.MIN_VALUE), out-of-range saturating.
   */
  @Example
  void nansAndOutOfRangeValuesToIntegersAsJavaCasts() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Tensor.of(new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e30, -1e30, -2.7, 300, 5e9}, 8);
      for (DType to : new DType[] {DType.I64, DType.I32, DType.U8}) {
        Tensor filled = Tensor.empty(to, 3), dFilled = on(filled);
        backend().fill(dFilled, Double.NaN);
        Reference.fill(filled, Double.NaN);
        assertEquals(Arrays.toString(filled.toLongArray()), Arrays.toString(back(dFilled).toLongArray()), "fill NaN into " + to);
        Tensor copied = Tensor.empty(to, 8), dCopied = on(copied);
        backend().copy(dCopied, on(x));
        Reference.copy(copied, x);
        assertEquals(Arrays.toString(copied.toLongArray()), Arrays.toString(back(dCopied).toLongArray()), "F64 -> " + to);
      }
    }
  }

  // ------------------------------------------------------------------ elementwise

  static double[] range(UnaryOp op) {
    return switch (op) {
      case LOG, SQRT, RSQRT -> new double[] {0.01, 20};
      case EXP, SIGMOID, SILU, GELU, GELU_TANH -> new double[] {-20, 20};
      default -> new double[] {-6, 6};
    };
  }

  /**
   * |got - want| within ulps * (1 + cond) ulps of the result, cond = |x f'(x) / f(x)| (how much the
   * input's own rounding is amplified), capped; GELU_TANH's reference cancels for x << 0.
   */
  static void assertUnaryClose(UnaryOp op, Tensor x, Tensor want, Tensor got, double ulps) {
    double[] xs = x.toDoubleArray(), e = want.toDoubleArray(), a = got.toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      if (e[i] == a[i] || (Double.isNaN(e[i]) && Double.isNaN(a[i]))) continue;
      double h = 1e-7 * Math.abs(xs[i]);
      double f = op.apply(xs[i]);
      double cond = h == 0 || f == 0 ? 0 : Math.abs((op.apply(xs[i] + h) - op.apply(xs[i] - h)) / (2 * h) * xs[i] / f);
      double refError = op == UnaryOp.GELU_TANH ? Math.abs(xs[i]) * 0x1p-52 : 0;
      double allowed = ulps * (1 + Math.min(cond, 1e4)) * TestTensors.ulp(want.dtype(), e[i]) + refError;
      assertTrue(!Double.isInfinite(e[i]) && Math.abs(a[i] - e[i]) <= allowed,
          op + "(" + xs[i] + ") " + want.dtype() + ": expected " + e[i] + " but got " + a[i] + " (allowed " + allowed + ")");
    }
  }

  @Property(tries = 60)
  void unaryOps(@ForAll("shapes") int[] shape, @ForAll UnaryOp op, @ForAll("floats") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    double[] r = range(op);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, r[0], r[1], shape);
      Tensor out = TestTensors.view(rnd, outLayout(rnd), dt, 0, 1, shape), dOut = on(out);
      backend().unary(op, dOut, on(x));
      Reference.unary(op, out, x);
      assertUnaryClose(op, x, out, back(dOut), 4);
    }
  }

  /** An operand shape broadcast to {@code out}: some dims set to 1 and expanded (stride 0). */
  static Tensor operand(Random rnd, BinaryOp op, boolean first, DType dt, int[] out) {
    int[] s = out.clone();
    for (int i = 0; i < s.length; i++) if (rnd.nextInt(3) == 0) s[i] = 1;
    Layout layout = TestTensors.anyLayout(rnd);
    Tensor t;
    if (op.isComparison() || op == BinaryOp.MAXIMUM || op == BinaryOp.MINIMUM) t = TestTensors.view(rnd, layout, dt, -3, 3, true, s);
    else if (op == BinaryOp.POW) t = first ? TestTensors.view(rnd, layout, dt, 0.1, 4, s) : TestTensors.view(rnd, layout, dt, -3, 3, s);
    else t = TestTensors.view(rnd, layout, dt, -4, 4, s);
    return t.expand(out);
  }

  @Property(tries = 60)
  void binaryOpsWithBroadcasting(@ForAll("shapes") int[] shape, @ForAll BinaryOp op, @ForAll("floats") DType dt, @ForAll boolean inPlace,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    try (TensorScope s = TensorScope.open()) {
      Tensor a = operand(rnd, op, true, dt, shape), b = operand(rnd, op, false, dt, shape);
      DType outType = op.isComparison() ? DType.BOOL : dt;
      Tensor out, got;
      if (inPlace && !op.isComparison()) {
        // out and a the very same view (Tensor.applyInPlace), a dense or strided writable view
        out = TestTensors.view(rnd, outLayout(rnd), dt, -4, 4, shape);
        Tensor dOut = on(out);
        backend().binary(op, dOut, dOut, on(b));
        Reference.binary(op, out, out, b);
        got = back(dOut);
      } else {
        out = TestTensors.view(rnd, outLayout(rnd), outType, 0, 1, shape);
        Tensor dOut = on(out);
        backend().binary(op, dOut, on(a), on(b));
        Reference.binary(op, out, a, b);
        got = back(dOut);
      }
      // + - * / max min and comparisons are exact; pow is a library function
      assertClose(out, got, op == BinaryOp.POW ? 4 : 0, 0);
    }
  }

  @Property(tries = 30)
  void whereSelects(@ForAll("shapes") int[] shape, @ForAll("all") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    try (TensorScope s = TensorScope.open()) {
      Tensor c = operand(rnd, BinaryOp.EQ, true, DType.BOOL, shape), a = operand(rnd, BinaryOp.ADD, true, dt, shape),
          b = operand(rnd, BinaryOp.ADD, false, dt, shape);
      Tensor out = TestTensors.view(rnd, outLayout(rnd), dt, 0, 1, shape), dOut = on(out);
      backend().where(dOut, on(c), on(a), on(b));
      Reference.where(out, c, a, b);
      assertSame(out, back(dOut));
    }
  }

  // ------------------------------------------------------------------ reductions

  /** Sets a random slice of x to v (NaN, infinities) before it is copied to the device. */
  static void poison(Random rnd, Tensor x, double v) {
    for (int d = 0; d < x.dim(); d++)
      if (x.size(d) > 0 && rnd.nextBoolean()) {
        try (Tensor slice = x.narrow(d, rnd.nextInt(x.size(d)), 1)) {
          slice.fill(v);
        }
        return;
      }
  }

  @Property(tries = 60)
  void reductionsOverAnyDims(@ForAll("shapes") int[] shape, @ForAll ReduceOp op, @ForAll("floats") DType dt, @ForAll long seed) {
    if (shape.length == 0) return;
    Random rnd = new Random(seed);
    boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
    int[] dims;
    if (arg) {
      dims = new int[] {rnd.nextInt(shape.length)};
      if (shape[dims[0]] == 0) shape[dims[0]] = 3; // argmax of an empty dim is rejected by the caller
    } else {
      dims = java.util.stream.IntStream.range(0, shape.length).filter(d -> rnd.nextBoolean()).toArray();
    }
    try (TensorScope s = TensorScope.open()) {
      // integer values make ties; NaN and infinities test the special-value rules
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -5, 5, arg || op == ReduceOp.MAX || op == ReduceOp.MIN, shape);
      if (rnd.nextInt(4) == 0) poison(rnd, x, new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}[rnd.nextInt(3)]);
      int[] kept = shape.clone();
      for (int d : dims) kept[d] = 1;
      Tensor out = Tensor.empty(arg ? DType.I64 : dt, kept), dOut = on(out);
      backend().reduce(op, dOut, on(x), dims);
      Reference.reduce(op, out, x, dims);
      if (arg || op == ReduceOp.MAX || op == ReduceOp.MIN) assertSame(out, back(dOut));
      else {
        double absSum = 0;
        for (double v : x.toDoubleArray()) if (Double.isFinite(v)) absSum += Math.abs(v);
        assertClose(out, back(dOut), 4, (dt == DType.F64 ? 1e-14 : 1e-6) * absSum);
      }
    }
  }

  @Property(tries = 40)
  void softmaxAndLogSoftmaxOverTheLastDim(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll boolean log, @ForAll long seed) {
    Random rnd = new Random(seed);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -8, 8, shape);
      if (rnd.nextInt(5) == 0) poison(rnd, x, rnd.nextBoolean() ? Double.NaN : Double.NEGATIVE_INFINITY);
      Tensor out = TestTensors.view(rnd, outLayout(rnd), dt, 0, 1, shape), dOut = on(out);
      backend().softmax(dOut, on(x), log);
      Reference.softmax(out, x, log);
      assertClose(out, back(dOut), 8, dt == DType.F64 ? 1e-13 : log ? 1e-5 : 1e-7);
    }
  }

  @Property(tries = 30)
  void cumsumAlongAnyDim(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll long seed) {
    if (shape.length == 0) return;
    Random rnd = new Random(seed);
    int dim = rnd.nextInt(shape.length);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -3, 3, true, shape); // integers: exact partial sums
      Tensor out = TestTensors.view(rnd, outLayout(rnd), dt, 0, 1, shape), dOut = on(out);
      backend().cumsum(dOut, on(x), dim);
      Reference.cumsum(out, x, dim);
      assertSame(out, back(dOut));
    }
  }

  /** Rows longer than a block's threads (each thread scans a chunk), along the last dim and along a strided one. */
  @Example
  void cumsumOfLongRows() {
    Random rnd = new Random(11);
    try (TensorScope s = TensorScope.open()) {
      for (DType dt : new DType[] {DType.F32, DType.F64}) {
        Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -3, 3, true, 3, 70_001); // integers: exact partial sums
        for (int dim : new int[] {1, 0}) {
          Tensor out = Tensor.empty(dt, 3, 70_001), dOut = on(out);
          backend().cumsum(dOut, on(x), dim);
          Reference.cumsum(out, x, dim);
          assertSame(out, back(dOut));
        }
      }
    }
  }

  @Property(tries = 40)
  void topkOrdersLikeTheReference(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll long seed) {
    if (shape.length == 0 || shape[shape.length - 1] == 0) return;
    Random rnd = new Random(seed);
    int n = shape[shape.length - 1], k = rnd.nextInt(n + 1);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -3, 3, true, shape); // ties
      if (rnd.nextInt(3) == 0) poison(rnd, x, new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.0}[rnd.nextInt(3)]);
      int[] vs = shape.clone();
      vs[vs.length - 1] = k;
      Tensor values = Tensor.empty(dt, vs), indices = Tensor.empty(DType.I64, vs);
      Tensor dValues = on(values), dIndices = on(indices);
      backend().topk(dValues, dIndices, on(x), k);
      Reference.topk(values, indices, x, k);
      assertSame(values, back(dValues));
      assertSame(indices, back(dIndices));
    }
  }

  // ------------------------------------------------------------------ matmul

  /** A (batch..., rows, cols) operand: dense, transposed storage, padded rows, or a broadcast batch. */
  static Tensor matrix(Random rnd, DType dt, int[] batch, int rows, int cols) {
    int[] shape = Arrays.copyOf(batch, batch.length + 2);
    shape[batch.length] = rows;
    shape[batch.length + 1] = cols;
    int kind = rnd.nextInt(4);
    double[] v = new double[Math.toIntExact(Tensor.numel(shape)) * 2 + 8];
    for (int i = 0; i < v.length; i++) v[i] = rnd.nextDouble() * 2 - 1;
    int r = shape.length;
    return switch (kind) {
      case 0 -> Tensor.of(Device.CPU, dt, Arrays.copyOf(v, (int) Tensor.numel(shape)), shape);
      case 1 -> { // stored (..., cols, rows), viewed transposed: unit row stride
        int[] t = shape.clone();
        t[r - 2] = cols;
        t[r - 1] = rows;
        try (Tensor base = Tensor.of(Device.CPU, dt, Arrays.copyOf(v, (int) Tensor.numel(t)), t)) {
          yield base.transpose(r - 2, r - 1);
        }
      }
      case 2 -> { // rows padded to cols + 3 elements, at an offset
        int[] p = shape.clone();
        p[r - 1] = cols + 3;
        try (Tensor base = Tensor.of(Device.CPU, dt, Arrays.copyOf(v, (int) Tensor.numel(p)), p)) {
          yield base.narrow(r - 1, 1, cols);
        }
      }
      default -> { // batch dims broadcast from one matrix
        int[] one = shape.clone();
        for (int i = 0; i < batch.length; i++) one[i] = 1;
        try (Tensor base = Tensor.of(Device.CPU, dt, Arrays.copyOf(v, (int) Tensor.numel(one)), one)) {
          yield base.expand(shape);
        }
      }
    };
  }

  @Property(tries = 50)
  void matmulOnAnyLayoutAndDtype(@ForAll("matmulSizes") int[] mnk, @ForAll boolean batched, @ForAll("matmulTypes") DType[] types,
      @ForAll boolean transposedOut, @ForAll long seed) {
    Random rnd = new Random(seed);
    int m = mnk[0], n = mnk[1], k = mnk[2];
    int[] batch = batched ? new int[] {2, 3} : new int[0];
    DType at = types[0], bt = types[1];
    try (TensorScope s = TensorScope.open()) {
      Tensor a = matrix(rnd, at, batch, m, k), b = matrix(rnd, bt, batch, k, n);
      int[] os = Arrays.copyOf(batch, batch.length + 2);
      os[batch.length] = m;
      os[batch.length + 1] = n;
      Tensor out = transposedOut && os.length >= 2 ? matrix(rnd, at, batch, n, m).contiguous().transpose(os.length - 2, os.length - 1)
          : Tensor.empty(at, os);
      Tensor dOut = on(out);
      backend().matmul(dOut, on(a), on(b));
      Reference.matmul(out, a, b);
      // |error| <= tol * sum_p |a_ip| |b_pj|: F32 accumulation, or rounding a to BF16/F16 (the GPU
      // multiplies F32 activations by BF16 weights on the tensor cores, as PyTorch autocast)
      double tol = at == DType.F64 ? 1e-13 : bt == DType.BF16 ? 8e-3 : bt == DType.F16 ? 1e-3 : 2e-5;
      try (Tensor bound = a.abs().matmul(b.to(at).abs())) {
        double[] want = out.toDoubleArray(), got = back(dOut).toDoubleArray(), lim = bound.toDoubleArray();
        for (int i = 0; i < want.length; i++)
          assertTrue(Math.abs(got[i] - want[i]) <= tol * lim[i] + 1e-30,
              "element " + i + " of " + Arrays.toString(os) + " " + at + " x " + bt + ": got " + got[i] + " want " + want[i]);
      }
    }
  }

  @Provide
  Arbitrary<int[]> matmulSizes() {
    return Arbitraries.of(0, 1, 2, 3, 7, 16, 17, 33, 64, 100).array(int[].class).ofSize(3);
  }

  @Provide
  Arbitrary<DType[]> matmulTypes() {
    return Arbitraries.of(new DType[] {DType.F32, DType.F32}, new DType[] {DType.F32, DType.BF16}, new DType[] {DType.F32, DType.F16},
        new DType[] {DType.F64, DType.F64});
  }

  // ------------------------------------------------------------------ normalisation, rotary, attention

  @Property(tries = 40)
  void rmsNormOverTheLastDim(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll long seed) {
    if (shape.length == 0) return;
    Random rnd = new Random(seed);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -3, 3, shape);
      Tensor w = TestTensors.view(rnd, rnd.nextBoolean() ? Layout.DENSE : Layout.STRIDED, dt, 0.5, 1.5, shape[shape.length - 1]);
      Tensor out = TestTensors.view(rnd, outLayout(rnd), dt, 0, 1, shape), dOut = on(out);
      double eps = rnd.nextBoolean() ? 1e-6 : 0.5;
      backend().rmsNorm(dOut, on(x), on(w), eps);
      Reference.rmsNorm(out, x, w, eps);
      assertClose(out, back(dOut), 4, dt == DType.F64 ? 1e-13 : 0);
    }
  }

  @Property(tries = 30)
  void ropeRotatesHalves(@ForAll("floats") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    int b = 1 + rnd.nextInt(2), h = 1 + rnd.nextInt(3), t = rnd.nextInt(9), d = 2 * (1 + rnd.nextInt(9));
    int[] shape = {b, h, t, d};
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -2, 2, shape);
      Tensor cos = TestTensors.uniform(rnd, dt, -1, 1, t, d).expand(shape), sin = TestTensors.uniform(rnd, dt, -1, 1, t, d).expand(shape);
      Tensor out = TestTensors.view(rnd, outLayout(rnd), dt, 0, 1, shape), dOut = on(out);
      backend().rope(dOut, on(x), on(cos), on(sin));
      Reference.rope(out, x, cos, sin);
      assertClose(out, back(dOut), 4, dt == DType.F64 ? 1e-14 : dt == DType.BF16 ? 0.02 : dt == DType.F16 ? 2e-3 : 2e-6);
    }
  }

  /** (B, H, T, D) heads, dense or as the models make them: (B, T, H, D) storage transposed. */
  static Tensor heads(Random rnd, DType dt, double scale, int b, int h, int t, int d) {
    if (rnd.nextBoolean()) return TestTensors.uniform(rnd, dt, -scale, scale, b, h, t, d);
    try (Tensor bthd = TestTensors.uniform(rnd, dt, -scale, scale, b, t, h, d)) {
      return bthd.transpose(1, 2);
    }
  }

  @Property(tries = 40)
  void attentionWithGroupedHeadsCausalAndDecode(@ForAll("floats") DType dt, @ForAll boolean causal, @ForAll boolean decode, @ForAll long seed) {
    Random rnd = new Random(seed);
    int b = 1 + rnd.nextInt(2), hkv = 1 + rnd.nextInt(3), group = 1 + rnd.nextInt(3);
    int d = new int[] {1, 5, 16, 17, 64, 128}[rnd.nextInt(6)];
    int tk = new int[] {0, 1, 2, 7, 33, 129, 200}[rnd.nextInt(7)];
    int tq = decode ? Math.min(1, tk) : causal ? rnd.nextInt(Math.min(tk, 24) + 1) : 1 + rnd.nextInt(12);
    int qOffset = decode ? Math.max(0, tk - 1) : causal ? (rnd.nextBoolean() ? tk - tq : rnd.nextInt(tk - tq + 1)) : 0;
    double scale = rnd.nextBoolean() ? 1 / Math.sqrt(d) : 2.0; // 2.0 makes peaked softmaxes
    try (TensorScope s = TensorScope.open()) {
      Tensor q = heads(rnd, dt, 2, b, hkv * group, tq, d), k = heads(rnd, dt, 2, b, hkv, tk, d), v = heads(rnd, dt, 3, b, hkv, tk, d);
      Tensor out = Tensor.empty(dt, q.shape()), dOut = on(out);
      backend().attention(dOut, on(q), on(k), on(v), scale, causal, qOffset);
      Reference.attention(out, q, k, v, scale, causal, qOffset);
      // Outputs are convex combinations of rows of v (|v| <= 3); a float kernel's error grows with the
      // scores' size, scale * |q . k| <= scale * 4d, through the softmax weights.
      double grow = Math.max(1, scale * d / 16);
      assertClose(out, back(dOut), 2, grow * (dt == DType.F64 ? 1e-12 : dt == DType.BF16 ? 0.02 : dt == DType.F16 ? 4e-3 : 2e-5));
    }
  }

  // ------------------------------------------------------------------ indexing

  static Tensor indices(Random rnd, DType it, int bound, int... shape) {
    double[] v = new double[Math.toIntExact(Tensor.numel(shape))];
    for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(bound);
    return Tensor.of(Device.CPU, it, v, shape);
  }

  @Property(tries = 30)
  void indexSelectGatherAndScatterAdd(@ForAll("shapes") int[] shape, @ForAll("all") DType dt, @ForAll boolean i32, @ForAll long seed) {
    if (shape.length == 0) return;
    Random rnd = new Random(seed);
    int dim = rnd.nextInt(shape.length);
    if (shape[dim] == 0) shape[dim] = 2; // an index needs something to point at
    DType it = i32 ? DType.I32 : DType.I64;
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -3, 3, true, shape); // integers: exact sums
      // indexSelect: n rows picked along dim
      Tensor sel = indices(rnd, it, shape[dim], rnd.nextInt(5));
      int[] os = shape.clone();
      os[dim] = sel.size(0);
      Tensor out = TestTensors.view(rnd, outLayout(rnd), dt, 0, 1, os), dOut = on(out);
      backend().indexSelect(dOut, on(x), dim, on(sel));
      Reference.indexSelect(out, x, dim, sel);
      assertSame(out, back(dOut));
      // gather and scatterAdd: an index no larger than x in the other dims, and any size along dim
      int[] is = shape.clone();
      for (int i = 0; i < is.length; i++) is[i] = i == dim ? rnd.nextInt(4) : rnd.nextInt(shape[i] + 1);
      Tensor idx = indices(rnd, it, shape[dim], is);
      Tensor g = Tensor.empty(dt, is), dG = on(g);
      backend().gather(dG, on(x), dim, on(idx));
      Reference.gather(g, x, dim, idx);
      assertSame(g, back(dG));
      Tensor src = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -3, 3, true, is);
      Tensor dst = TestTensors.view(rnd, outLayout(rnd), dt, -3, 3, true, shape), dDst = on(dst);
      backend().scatterAdd(dDst, dim, on(idx), on(src));
      Reference.scatterAdd(dst, dim, idx, src);
      assertSame(dst, back(dDst));
    }
  }

  @Property(tries = 10)
  void outOfRangeIndicesFailAsOnTheCpu(@ForAll boolean negative, @ForAll boolean i32) {
    DType it = i32 ? DType.I32 : DType.I64;
    long bad = negative ? -1 : 5;
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Tensor.zeros(DType.F32, 5, 3), idx = Tensor.of(Device.CPU, it, new double[] {1, bad, 0}, 3);
      Tensor out = Tensor.empty(DType.F32, 3, 3);
      String want = assertThrows(IndexOutOfBoundsException.class, () -> Reference.indexSelect(out, x, 0, idx)).getMessage();
      Tensor dx = on(x), dIdx = on(idx), dOut = on(out);
      assertEquals(want, assertThrows(IndexOutOfBoundsException.class, () -> backend().indexSelect(dOut, dx, 0, dIdx)).getMessage());
      // the error is cleared: the next lookup works
      Tensor ok = on(Tensor.of(Device.CPU, it, new double[] {4, 0, 2}, 3));
      backend().indexSelect(dOut, dx, 0, ok);
      Tensor idx2 = Tensor.of(Device.CPU, it, new double[] {0, 1, bad, 2, 0, 1}, 2, 3), src = Tensor.ones(DType.F32, 2, 3);
      String want2 = assertThrows(IndexOutOfBoundsException.class, () -> Reference.scatterAdd(x.copy(), 0, idx2, src)).getMessage();
      assertEquals(want2, assertThrows(IndexOutOfBoundsException.class, () -> backend().scatterAdd(dx, 0, on(idx2), on(src))).getMessage());
    }
  }
}

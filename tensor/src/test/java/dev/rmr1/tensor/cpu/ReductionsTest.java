package dev.rmr1.tensor.cpu;

import static dev.rmr1.tensor.TestTensors.assertClose;
import static dev.rmr1.tensor.TestTensors.assertSame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.ReduceOp;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.TestTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Reductions and softmax (fast paths through the backend) against the scalar Reference. */
class ReductionsTest {
  @Provide
  Arbitrary<int[]> shapes() {
    return TestTensors.shapes(1, 4, 4000);
  }

  @Provide
  Arbitrary<DType> floats() {
    return Arbitraries.of(DType.F32, DType.F32, DType.BF16, DType.F64);
  }

  /** A random subset of dims (empty means all), as the caller of Tensor.reduce gives them. */
  static int[] someDims(Random rnd, int rank) {
    List<Integer> dims = new ArrayList<>();
    for (int d = 0; d < rank; d++) if (rnd.nextBoolean()) dims.add(rnd.nextBoolean() ? d : d - rank);
    return dims.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Sorted non-negative dims, the backend's form (all dims when none are named). */
  static int[] backendDims(int[] dims, int rank) {
    boolean[] r = new boolean[rank];
    if (dims.length == 0) java.util.Arrays.fill(r, true);
    for (int d : dims) r[d < 0 ? d + rank : d] = true;
    return java.util.stream.IntStream.range(0, rank).filter(i -> r[i]).toArray();
  }

  @Property(tries = 120)
  void reduceMatchesReference(@ForAll("shapes") int[] shape, @ForAll ReduceOp op, @ForAll("floats") DType dt, @ForAll boolean keepdim, @ForAll long seed) {
    Random rnd = new Random(seed);
    boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
    int[] dims = arg ? new int[] {rnd.nextInt(shape.length)} : someDims(rnd, shape.length);
    int[] sorted = backendDims(dims, shape.length);
    if (arg && shape[sorted[0]] == 0) shape[sorted[0]] = 3; // argmax of an empty dim is an error (tested elsewhere)
    try (TensorScope s = TensorScope.open()) {
      // Integer values make ties, which argmax must break towards the first index.
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -5, 5, arg || op == ReduceOp.MAX, shape);
      Tensor got = x.reduce(op, dims, keepdim);
      int[] kept = shape.clone();
      for (int d : sorted) kept[d] = 1;
      Tensor ref = Tensor.empty(arg ? DType.I64 : dt, kept);
      Reference.reduce(op, ref, x, sorted);
      Tensor expected = keepdim ? ref : ref.reshape(got.shape());
      if (arg || op == ReduceOp.MAX || op == ReduceOp.MIN) assertSame(expected, got);
      else {
        // Float accumulation (in blocks, then double) against the reference's double: the error
        // is bounded by a few ulps of the result plus a small multiple of eps * sum|x|.
        double absSum = 0;
        for (double v : x.toDoubleArray()) absSum += Math.abs(v);
        assertClose(expected, got, dt == DType.BF16 ? 1 : 4, dt == DType.F64 ? 0 : 1e-6 * absSum);
      }
    }
  }

  @Test
  void nanAndInfinityPropagateLikeTheReference() {
    double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
    double[][] rows = {{1, nan, 3, nan}, {-inf, -inf, -inf, -inf}, {1, inf, 2, inf}, {-0.0, 0.0, -0.0, 0.0}, {5, 5, -inf, 5}};
    for (int n : new int[] {4, 21}) // one masked vector, and full vectors plus a tail
      for (double[] row : rows) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = row[i % row.length];
        try (TensorScope s = TensorScope.open()) {
          Tensor x = Tensor.of(Device.CPU, DType.F32, v, 1, n);
          for (ReduceOp op : ReduceOp.values()) {
            Tensor ref = Tensor.empty(op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN ? DType.I64 : DType.F32, 1, 1);
            Reference.reduce(op, ref, x, new int[] {1});
            assertSame(ref, x.reduce(op, new int[] {1}, true));
          }
          for (boolean log : new boolean[] {false, true}) {
            Tensor ref = Tensor.empty(DType.F32, 1, n);
            Reference.softmax(ref, x, log);
            assertClose(ref, log ? x.logSoftmax(-1) : x.softmax(-1), 4, 0);
          }
        }
      }
  }

  @Property(tries = 80)
  void softmaxOverAnyDimMatchesReference(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll boolean log, @ForAll long seed) {
    Random rnd = new Random(seed);
    int dim = rnd.nextInt(shape.length);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -30, 30, shape);
      Tensor got = log ? x.logSoftmax(dim) : x.softmax(dim);
      Tensor xt = x.transpose(dim, -1);
      Tensor ref = Tensor.empty(dt, xt.shape());
      Reference.softmax(ref, xt, log);
      // Softmax values lie in [0, 1]: an absolute floor covers the tiny probabilities.
      assertClose(ref.transpose(dim, -1), got, dt == DType.BF16 ? 1 : 8, dt == DType.F64 ? 0 : log ? 1e-5 : 1e-7);
    }
  }

  @Property(tries = 40)
  void softmaxRowsSumToOneAndLogSoftmaxIsItsLog(@ForAll("shapes") int[] shape, @ForAll long seed) {
    Random rnd = new Random(seed);
    if (shape[shape.length - 1] == 0) return;
    try (TensorScope s = TensorScope.open()) {
      // Spreads below 40 keep every probability a normal float, whose log is accurate.
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), DType.F32, -20, 20, shape);
      Tensor p = x.softmax(-1);
      for (double v : p.sum(-1, false).toDoubleArray()) assertEquals(1.0, v, 1e-5);
      assertClose(p.log(), x.logSoftmax(-1), 8, 1e-6);
      // logsumexp = log(sum(exp(x))) where exp does not overflow, and softmax = exp(x - logsumexp).
      Tensor small = x.div(4);
      assertClose(small.exp().sum(-1, false).log(), small.logsumexp(-1, false), 8, 1e-6);
      assertClose(small.softmax(-1), small.sub(small.logsumexp(-1, true)).exp(), 16, 1e-7);
    }
  }

  @Test
  void longSumsStayAccurate() {
    // 2^20 values of 0.1: a naive float running sum drifts by about 1%; blocks keep it within 1e-6.
    int n = 1 << 20;
    try (Tensor x = Tensor.full(Device.CPU, DType.F32, 0.1, n); Tensor s = x.sum(); Tensor c = x.view(n / 64, 64).sum(0, false)) {
      assertEquals(0.1f * n, s.item(), 1e-6 * n * 0.1);
      for (double v : c.toDoubleArray()) assertEquals(0.1f * n / 64, v, 1e-5 * n / 64 * 0.1);
    }
  }

  /** The claims of Reductions: which layouts take the vector path (the rest fall back). */
  @Test
  void fastPathCoversTheCommonLayouts() {
    if (!Simd.ENABLED) return;
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(2);
      Tensor x = TestTensors.uniform(rnd, DType.F32, -1, 1, 6, 37, 45);
      assertTrue(Reductions.tryReduce(ReduceOp.SUM, Tensor.empty(DType.F32, 6, 37, 1), x, new int[] {2}), "sum(-1)");
      assertTrue(Reductions.tryReduce(ReduceOp.LOGSUMEXP, Tensor.empty(DType.F32, 6, 37, 1), x, new int[] {2}), "logsumexp(-1)");
      assertTrue(Reductions.tryReduce(ReduceOp.ARGMAX, Tensor.empty(DType.I64, 6, 37, 1), x, new int[] {2}), "argmax(-1)");
      assertTrue(Reductions.tryReduce(ReduceOp.SUM, Tensor.empty(DType.F32, 1, 1, 1), x, new int[] {0, 1, 2}), "sum()");
      assertTrue(Reductions.tryReduce(ReduceOp.SUM, Tensor.empty(DType.F32, 6, 1, 1), x, new int[] {1, 2}), "sum over the two last dims");
      assertTrue(Reductions.tryReduce(ReduceOp.SUM, Tensor.empty(DType.F32, 1, 1, 45), x, new int[] {0, 1}), "sum over leading dims");
      assertTrue(Reductions.tryReduce(ReduceOp.MAX, Tensor.empty(DType.F32, 6, 1, 45), x, new int[] {1}), "max over a middle dim");
      assertTrue(Reductions.trySoftmax(Tensor.empty(DType.F32, 6, 37, 45), x, false), "softmax(-1)");
      assertTrue(Reductions.trySoftmax(Tensor.empty(DType.BF16, 6, 37, 45), x.to(DType.BF16), true), "BF16 log-softmax");
      // Not covered: two separated reduced dims, argmax over a non-innermost dim, strided rows.
      assertFalse(Reductions.tryReduce(ReduceOp.SUM, Tensor.empty(DType.F32, 1, 37, 1), x, new int[] {0, 2}));
      assertFalse(Reductions.tryReduce(ReduceOp.ARGMAX, Tensor.empty(DType.I64, 1, 37, 45), x, new int[] {0}));
      assertFalse(Reductions.trySoftmax(Tensor.empty(DType.F32, 6, 45, 37), x.transpose(1, 2), false));
    }
  }

  @Test
  void argmaxPicksTheFirstOfTiesAndNaN() {
    try (TensorScope s = TensorScope.open()) {
      double[] v = new double[40];
      v[17] = 3;
      v[33] = 3;
      Tensor x = Tensor.of(Device.CPU, DType.F32, v, 40);
      assertEquals(17, x.argmax(0, false).item());
      assertEquals(0, x.argmin(0, false).item());
      v[25] = Double.NaN;
      v[30] = Double.NaN;
      Tensor y = Tensor.of(Device.CPU, DType.F32, v, 40);
      assertEquals(25, y.argmax(0, false).item());
      assertEquals(25, y.argmin(0, false).item());
      assertArrayEquals(new long[] {1, 0}, Tensor.of(new float[] {1, 5, 2, 2}, 2, 2).argmax(1, false).toLongArray());
    }
  }
}

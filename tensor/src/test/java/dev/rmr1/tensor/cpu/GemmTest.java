package dev.rmr1.tensor.cpu;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The CPU matrix kernels ({@link Gemm}: blocked F32/F64 GEMM, GEMV, scalar fallback) against
 * {@link Reference#matmul} on random shapes and layouts. F32 results may differ from the double
 * reference by F32 accumulation: the bound per element is a multiple of sum_k |a_ik| |b_kj|, which a
 * wrong index or a missed block exceeds by orders of magnitude.
 */
class GemmTest {
  private static final double F32_TOL = 2e-5, F64_TOL = 1e-12;

  /** Ways to lay out a matrix operand. */
  enum Layout {
    DENSE, TRANSPOSED, PADDED_ROWS, STEP2_COLUMNS
  }

  /** A (batch..., rows, cols) view in the given layout, random values in [-1, 1). */
  static Tensor matrix(Random rnd, DType dt, int[] batch, int rows, int cols, Layout layout) {
    int nb = batch.length;
    int[] storage = Arrays.copyOf(batch, nb + 2);
    switch (layout) {
      case DENSE -> { storage[nb] = rows; storage[nb + 1] = cols; }
      case TRANSPOSED -> { storage[nb] = cols; storage[nb + 1] = rows; }
      case PADDED_ROWS -> { storage[nb] = rows; storage[nb + 1] = cols + 3; }
      case STEP2_COLUMNS -> { storage[nb] = rows; storage[nb + 1] = 2 * cols; }
    }
    double[] v = new double[Math.toIntExact(Tensor.numel(storage))];
    for (int i = 0; i < v.length; i++) v[i] = 2 * rnd.nextDouble() - 1;
    Tensor t = Tensor.of(Device.CPU, dt, v, storage);
    return switch (layout) {
      case DENSE -> t;
      case TRANSPOSED -> t.transpose(-1, -2);
      case PADDED_ROWS -> t.narrow(-1, 1, cols);
      case STEP2_COLUMNS -> t.slice(-1, 0, 2 * cols, 2);
    };
  }

  /** An output view (batch..., m, n) filled with NaN, so unwritten elements show. */
  static Tensor output(DType dt, int[] batch, int m, int n, Layout layout) {
    Tensor t = matrix(new Random(0), dt, batch, m, n, layout);
    t.fill(Double.NaN);
    return t;
  }

  /** Runs Gemm on (out, a, b) and checks it against Reference.matmul within tol * sum |a||b|. */
  static void check(Tensor out, Tensor a, Tensor b, double tol) {
    Gemm.matmul(out, a, b);
    checkResult(out, a, b, tol);
  }

  static void checkResult(Tensor out, Tensor a, Tensor b, double tol) {
    Tensor expected = Tensor.empty(DType.F64, out.shape());
    Tensor absSum = Tensor.empty(DType.F64, out.shape());
    try (Tensor a64 = a.to(DType.F64); Tensor b64 = b.to(DType.F64); Tensor aa = a64.abs(); Tensor ba = b64.abs()) {
      Reference.matmul(expected, a64, b64);
      Reference.matmul(absSum, aa, ba);
    }
    double[] got = out.toDoubleArray(), want = expected.toDoubleArray(), bound = absSum.toDoubleArray();
    expected.close();
    absSum.close();
    for (int i = 0; i < got.length; i++)
      if (!(Math.abs(got[i] - want[i]) <= tol * bound[i] + 1e-30))
        fail("element " + i + " of " + Arrays.toString(out.shape()) + ": got " + got[i] + ", want " + want[i]
            + " (bound " + tol * bound[i] + ")");
  }

  @Property(tries = 60)
  void f32AgainstReferenceOnRandomShapesAndLayouts(
      @ForAll @IntRange(min = 0, max = 130) int m, @ForAll @IntRange(min = 0, max = 130) int n,
      @ForAll @IntRange(min = 0, max = 130) int k, @ForAll @IntRange(min = 0, max = 3) int aLayout,
      @ForAll @IntRange(min = 0, max = 3) int bLayout, @ForAll @IntRange(min = 0, max = 2) int outLayout,
      @ForAll @IntRange(min = 0, max = 2) int weightType, @ForAll long seed) {
    DType bt = new DType[] {DType.F32, DType.BF16, DType.F16}[weightType];
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(seed);
      Tensor a = matrix(rnd, DType.F32, new int[0], m, k, Layout.values()[aLayout]);
      Tensor b = matrix(rnd, bt, new int[0], k, n, Layout.values()[bLayout]);
      check(output(DType.F32, new int[0], m, n, Layout.values()[outLayout]), a, b, F32_TOL);
    }
  }

  @Property(tries = 25)
  void batchedWithBroadcastBatchDims(
      @ForAll @IntRange(min = 1, max = 40) int m, @ForAll @IntRange(min = 1, max = 40) int n,
      @ForAll @IntRange(min = 1, max = 40) int k, @ForAll boolean broadcastA, @ForAll boolean transposeB,
      @ForAll boolean bf16, @ForAll long seed) {
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(seed);
      int[] batch = {2, 3};
      // One operand has batch dims (2, 1) or none and is expanded (stride 0) to (2, 3).
      Tensor a = broadcastA
          ? matrix(rnd, DType.F32, new int[] {2, 1}, m, k, Layout.DENSE).expand(2, 3, m, k)
          : matrix(rnd, DType.F32, batch, m, k, Layout.PADDED_ROWS);
      Tensor b = broadcastA
          ? matrix(rnd, bf16 ? DType.BF16 : DType.F32, batch, k, n, transposeB ? Layout.TRANSPOSED : Layout.DENSE)
          : matrix(rnd, bf16 ? DType.BF16 : DType.F32, new int[0], k, n, transposeB ? Layout.TRANSPOSED : Layout.DENSE).expand(2, 3, k, n);
      check(output(DType.F32, batch, m, n, Layout.DENSE), a, b, F32_TOL);
    }
  }

  @Property(tries = 30)
  void f64AgainstReference(
      @ForAll @IntRange(min = 0, max = 70) int m, @ForAll @IntRange(min = 0, max = 70) int n,
      @ForAll @IntRange(min = 0, max = 70) int k, @ForAll @IntRange(min = 0, max = 3) int aLayout,
      @ForAll @IntRange(min = 0, max = 3) int bLayout, @ForAll @IntRange(min = 0, max = 2) int outLayout, @ForAll long seed) {
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(seed);
      Tensor a = matrix(rnd, DType.F64, new int[0], m, k, Layout.values()[aLayout]);
      Tensor b = matrix(rnd, DType.F64, new int[0], k, n, Layout.values()[bLayout]);
      check(output(DType.F64, new int[0], m, n, Layout.values()[outLayout]), a, b, F64_TOL);
    }
  }

  /** The scalar fallback (taken without a usable Vector API) on the same problems, every dtype. */
  @Property(tries = 30)
  void scalarFallbackAgainstReference(
      @ForAll @IntRange(min = 1, max = 60) int m, @ForAll @IntRange(min = 1, max = 60) int n,
      @ForAll @IntRange(min = 1, max = 300) int k, @ForAll @IntRange(min = 0, max = 3) int aLayout,
      @ForAll @IntRange(min = 0, max = 3) int bLayout, @ForAll @IntRange(min = 0, max = 3) int types, @ForAll long seed) {
    DType at = types == 3 ? DType.F64 : DType.F32;
    DType bt = new DType[] {DType.F32, DType.BF16, DType.F16, DType.F64}[types];
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(seed);
      Tensor a = matrix(rnd, at, new int[0], m, k, Layout.values()[aLayout]);
      Tensor b = matrix(rnd, bt, new int[0], k, n, Layout.values()[bLayout]);
      Tensor out = output(at, new int[0], m, n, Layout.TRANSPOSED);
      GemmBlocked.run(new GemmProblem(out, a, b), GemmScalar.INSTANCE);
      checkResult(out, a, b, at == DType.F64 ? F64_TOL : F32_TOL);
    }
  }

  /**
   * Sizes at the register-tile (6 x 32) and depth-block (256) edges and several depth blocks, for
   * each packing path of B: dense F32 and BF16 rows, and W^T columns.
   */
  @Test
  void tileAndBlockEdges() {
    Random rnd = new Random(1);
    int[][] shapes = {{5, 31, 255}, {6, 32, 256}, {7, 33, 257}, {13, 65, 513}, {12, 64, 600}, {1, 1, 1}, {6, 1, 300}, {1, 96, 2}};
    try (TensorScope s = TensorScope.open()) {
      for (int[] sh : shapes)
        for (DType bt : new DType[] {DType.F32, DType.BF16})
          for (Layout bl : new Layout[] {Layout.DENSE, Layout.TRANSPOSED}) {
            Tensor a = matrix(rnd, DType.F32, new int[0], sh[0], sh[2], Layout.DENSE);
            Tensor b = matrix(rnd, bt, new int[0], sh[2], sh[1], bl);
            check(output(DType.F32, new int[0], sh[0], sh[1], Layout.DENSE), a, b, F32_TOL);
          }
    }
  }

  /** Big enough to be split over threads (rows, columns and narrower columns), with BF16 W^T. */
  @Test
  void multiThreadedShapes() {
    Random rnd = new Random(2);
    int[][] shapes = {{150, 200, 300}, {7, 1100, 100}, {300, 40, 700}, {1, 4000, 130}, {3, 2500, 333}};
    try (TensorScope s = TensorScope.open()) {
      for (int[] sh : shapes) {
        Tensor a = matrix(rnd, DType.F32, new int[0], sh[0], sh[2], Layout.DENSE);
        Tensor w = matrix(rnd, DType.BF16, new int[0], sh[2], sh[1], Layout.TRANSPOSED);
        check(output(DType.F32, new int[0], sh[0], sh[1], Layout.DENSE), a, w, F32_TOL);
      }
    }
  }

  /** Decode-style products (few rows, W^T weights) take the GEMV kernel; odd K exercises its tails. */
  @Test
  void gemvTakesSmallMWithTransposedWeights() {
    Random rnd = new Random(3);
    try (TensorScope s = TensorScope.open()) {
      for (int m : new int[] {1, 2, 3, 5, Gemv.MAX_M})
        for (int k : new int[] {1, 31, 32, 64, 95, 896})
          for (DType bt : new DType[] {DType.BF16, DType.F32, DType.F16}) {
            Tensor a = matrix(rnd, DType.F32, new int[0], m, k, m == 2 ? Layout.TRANSPOSED : Layout.DENSE);
            Tensor w = matrix(rnd, bt, new int[0], k, 37, Layout.TRANSPOSED);
            Tensor out = output(DType.F32, new int[0], m, 37, m == 3 ? Layout.TRANSPOSED : Layout.DENSE);
            if (GemmSimd.VECTOR) assertTrue(Gemv.applies(new GemmProblem(out, a, w)));
            check(out, a, w, F32_TOL);
          }
      Tensor many = matrix(rnd, DType.F32, new int[0], Gemv.MAX_M + 1, 8, Layout.DENSE);
      Tensor w = matrix(rnd, DType.BF16, new int[0], 8, 5, Layout.TRANSPOSED);
      assertFalse(Gemv.applies(new GemmProblem(output(DType.F32, new int[0], Gemv.MAX_M + 1, 5, Layout.DENSE), many, w)));
    }
  }

  @Test
  void emptyDimensions() {
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(4);
      // K = 0: the product is all zeros, written through out's strides.
      Tensor out = output(DType.F32, new int[0], 3, 4, Layout.TRANSPOSED);
      Gemm.matmul(out, matrix(rnd, DType.F32, new int[0], 3, 0, Layout.DENSE), matrix(rnd, DType.BF16, new int[0], 0, 4, Layout.DENSE));
      assertArrayEquals(new double[12], out.toDoubleArray());
      // M = 0 and N = 0: nothing to write, nothing read.
      check(output(DType.F32, new int[0], 0, 5, Layout.DENSE), matrix(rnd, DType.F32, new int[0], 0, 7, Layout.DENSE),
          matrix(rnd, DType.F32, new int[0], 7, 5, Layout.DENSE), F32_TOL);
      check(output(DType.F64, new int[] {2}, 5, 0, Layout.DENSE), matrix(rnd, DType.F64, new int[] {2}, 5, 7, Layout.DENSE),
          matrix(rnd, DType.F64, new int[] {2}, 7, 0, Layout.DENSE), F64_TOL);
      // No batches at all.
      check(output(DType.F32, new int[] {0}, 3, 3, Layout.DENSE), matrix(rnd, DType.F32, new int[] {0}, 3, 3, Layout.DENSE),
          matrix(rnd, DType.F32, new int[] {0}, 3, 3, Layout.DENSE), F32_TOL);
    }
  }

  /** Dtype combinations outside the fast kernels still compute, through the reference. */
  @Test
  void otherDtypesFallBackToReference() {
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(5);
      Tensor a = matrix(rnd, DType.BF16, new int[0], 5, 9, Layout.DENSE);
      Tensor b = matrix(rnd, DType.BF16, new int[0], 9, 4, Layout.TRANSPOSED);
      Tensor out = output(DType.BF16, new int[0], 5, 4, Layout.DENSE);
      check(out, a, b, 1e-2);
    }
  }

  /** The public entry: Tensor.matmul of x (T, C) with a BF16 weight used as W^T, as nn.Linear does. */
  @Test
  void tensorMatmulLinearLayout() {
    try (TensorScope s = TensorScope.open()) {
      Random rnd = new Random(6);
      Tensor x = matrix(rnd, DType.F32, new int[] {2}, 19, 70, Layout.DENSE);
      Tensor w = matrix(rnd, DType.BF16, new int[0], 45, 70, Layout.DENSE);
      Tensor y = x.matmul(w.transpose(0, 1));
      assertArrayEquals(new int[] {2, 19, 45}, y.shape());
      checkResult(y, x, w.transpose(0, 1).expand(2, 70, 45), F32_TOL);
    }
  }
}

package dev.rmr1.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Random inputs for kernel tests: shapes with odd, size-1 and size-0 dims, and tensors of a given
 * shape laid out in every way the backend contract allows (dense, transposed, strided slices,
 * offset narrows, stride-0 broadcasts), plus tolerance-aware comparison.
 */
public final class TestTensors {
  private TestTensors() {}

  /** Sizes the tests draw from: around vector widths (15, 16, 17, 33), 1 and 0. */
  private static final int[] SIZES = {0, 1, 1, 2, 3, 5, 7, 15, 16, 17, 33};

  /** Shapes of rank 0..4 with at most {@code maxNumel} elements. */
  public static Arbitrary<int[]> shapes(int minRank, int maxRank, long maxNumel) {
    return Arbitraries.integers().between(minRank, maxRank).flatMap(rank ->
        Arbitraries.of(Arrays.stream(SIZES).boxed().toList()).array(Integer[].class).ofSize(rank)
            .map(a -> Arrays.stream(a).mapToInt(Integer::intValue).toArray())
            .filter(s -> Tensor.numel(s) <= maxNumel));
  }

  /** Like {@link #shapes} without empty dims. */
  public static Arbitrary<int[]> nonEmptyShapes(int minRank, int maxRank, long maxNumel) {
    return shapes(minRank, maxRank, maxNumel).filter(s -> Arrays.stream(s).allMatch(d -> d > 0));
  }

  /** A dense tensor of uniform values in [lo, hi). */
  public static Tensor uniform(Random rnd, DType dtype, double lo, double hi, int... shape) {
    return uniform(rnd, dtype, lo, hi, false, shape);
  }

  /** Uniform values in [lo, hi), rounded to integers when {@code integral} (so that ties and equalities occur). */
  public static Tensor uniform(Random rnd, DType dtype, double lo, double hi, boolean integral, int... shape) {
    double[] v = new double[Math.toIntExact(Tensor.numel(shape))];
    for (int i = 0; i < v.length; i++) {
      v[i] = lo + (hi - lo) * rnd.nextDouble();
      if (integral) v[i] = Math.rint(v[i]);
    }
    return Tensor.of(Device.CPU, dtype, v, shape);
  }

  public enum Layout { DENSE, PERMUTED, STRIDED, NARROWED, BROADCAST }

  /**
   * A tensor of {@code shape} in the given layout, holding uniform values in [lo, hi). Only the
   * returned view is live (its base is released), so tests close just what they receive.
   */
  public static Tensor view(Random rnd, Layout layout, DType dtype, double lo, double hi, int... shape) {
    return view(rnd, layout, dtype, lo, hi, false, shape);
  }

  /** Like {@link #view(Random, Layout, DType, double, double, int...)}, optionally with integer values. */
  public static Tensor view(Random rnd, Layout layout, DType dtype, double lo, double hi, boolean integral, int... shape) {
    int r = shape.length;
    if (r == 0 || layout == Layout.DENSE) return uniform(rnd, dtype, lo, hi, integral, shape);
    switch (layout) {
      case PERMUTED -> {
        // Store the dims in reverse order and permute back: every stride differs from the dense one.
        int[] rev = new int[r], order = new int[r];
        for (int i = 0; i < r; i++) {
          rev[i] = shape[r - 1 - i];
          order[i] = r - 1 - i;
        }
        try (Tensor base = uniform(rnd, dtype, lo, hi, integral, rev)) {
          return base.permute(order);
        }
      }
      case STRIDED -> {
        // Every other element of the last dim, starting at 1.
        int[] big = shape.clone();
        big[r - 1] = 2 * shape[r - 1] + 1;
        try (Tensor base = uniform(rnd, dtype, lo, hi, integral, big)) {
          return base.slice(r - 1, 1, big[r - 1], 2);
        }
      }
      case NARROWED -> {
        // A window of dim 0 of a taller tensor: a nonzero offset, dense rows, outer stride unchanged.
        int[] big = shape.clone();
        big[0] = shape[0] + 3;
        try (Tensor base = uniform(rnd, dtype, lo, hi, integral, big)) {
          return base.narrow(0, 2, shape[0]);
        }
      }
      case BROADCAST -> {
        // Dim 0 broadcast (stride 0) from one stored row.
        int[] one = shape.clone();
        one[0] = 1;
        try (Tensor base = uniform(rnd, dtype, lo, hi, integral, one)) {
          return base.expand(shape);
        }
      }
      default -> throw new AssertionError(layout);
    }
  }

  public static Layout anyLayout(Random rnd) {
    return Layout.values()[rnd.nextInt(Layout.values().length)];
  }

  /** The spacing of dtype's values at |x| (relative tolerance unit). */
  public static double ulp(DType dtype, double x) {
    float f = (float) Math.abs(x);
    return switch (dtype) {
      case F32 -> Math.ulp(f);
      case BF16 -> Math.ulp(f) * 65536;
      case F16 -> Math.max(Math.ulp(f) * 8192, 0x1p-24);
      default -> Math.ulp(Math.abs(x));
    };
  }

  /**
   * Element-wise |actual - expected| <= ulps * ulp(expected) + atol (NaN matches NaN, infinities
   * must match exactly); the message names the flat index, both values and the shape.
   */
  public static void assertClose(Tensor expected, Tensor actual, double ulps, double atol) {
    assertArrayEquals(expected.shape(), actual.shape(), "shape");
    double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
    DType dt = expected.dtype();
    for (int i = 0; i < e.length; i++) {
      if (Double.isNaN(e[i]) && Double.isNaN(a[i])) continue;
      if (e[i] == a[i]) continue;
      if (Double.isInfinite(e[i]) || Double.isNaN(e[i]) || Double.isNaN(a[i])
          || Math.abs(a[i] - e[i]) > ulps * ulp(dt, e[i]) + atol)
        fail("element " + i + " of " + Arrays.toString(expected.shape()) + " " + dt + ": expected " + e[i] + " but got " + a[i]
            + " (diff " + Math.abs(a[i] - e[i]) + ", allowed " + (ulps * ulp(dt, e[i]) + atol) + ")");
    }
  }

  /** Bit-for-bit equal values (NaN payloads aside). */
  public static void assertSame(Tensor expected, Tensor actual) {
    assertClose(expected, actual, 0, 0);
  }
}

package dev.rmr1.tensor;

import static dev.rmr1.tensor.TestTensors.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Tensor operations that are composed at the Tensor level or run only the reference kernel
 * (indexing, cat/stack, topk, cumsum, clamp, mean, var), each against a plain model written here:
 * row-major double arrays and explicit index arithmetic, independent of the library's kernels.
 */
class TensorOpsTest {
  @Provide
  Arbitrary<int[]> shapes() {
    return TestTensors.shapes(1, 4, 2000);
  }

  @Provide
  Arbitrary<DType> floats() {
    return Arbitraries.of(DType.F32, DType.BF16, DType.F64);
  }

  /** Row-major multi-index of flat position i. */
  static int[] unravel(long i, int[] shape) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = (int) (i % shape[d]);
      i /= shape[d];
    }
    return idx;
  }

  static long ravel(int[] idx, int[] shape) {
    long f = 0;
    for (int d = 0; d < shape.length; d++) f = f * shape[d] + idx[d];
    return f;
  }

  /** x's values cast through its dtype (the model works on what the tensor holds). */
  static double[] values(Tensor x) {
    return x.toDoubleArray();
  }

  static Tensor indexTensor(Random rnd, boolean i32, int bound, int... shape) {
    long[] v = new long[(int) Tensor.numel(shape)];
    for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(bound);
    try (Tensor t = Tensor.ofLongs(v, shape)) {
      return i32 ? t.to(DType.I32) : t.copy();
    }
  }

  @Property(tries = 50)
  void indexSelectAndEmbeddingMatchTheModel(@ForAll("shapes") int[] shape, @ForAll boolean i32, @ForAll long seed) {
    Random rnd = new Random(seed);
    int dim = rnd.nextInt(shape.length);
    if (shape[dim] == 0) shape[dim] = 2;
    int n = rnd.nextInt(6);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), DType.F32, -9, 9, shape);
      Tensor index = indexTensor(rnd, i32, shape[dim], n);
      Tensor got = x.indexSelect(dim - (rnd.nextBoolean() ? 0 : shape.length), index);
      long[] ix = index.toLongArray();
      double[] xv = values(x), gv = values(got);
      int[] os = got.shape();
      for (int f = 0; f < gv.length; f++) {
        int[] idx = unravel(f, os);
        idx[dim] = (int) ix[idx[dim]];
        assertEquals(xv[(int) ravel(idx, shape)], gv[f], 0, "indexSelect at " + Arrays.toString(unravel(f, os)));
      }
      // Embedding: a (V, C) table looked up by ids of any shape gives (ids..., C).
      Tensor table = TestTensors.uniform(rnd, DType.F32, -1, 1, 11, 5);
      Tensor ids = indexTensor(rnd, i32, 11, 2, 3);
      Tensor e = table.embedding(ids);
      assertArrayEquals(new int[] {2, 3, 5}, e.shape());
      long[] id = ids.toLongArray();
      for (int i = 0; i < 6; i++) assertArrayEquals(table.select(0, (int) id[i]).toFloatArray(), e.select(0, i / 3).select(0, i % 3).toFloatArray());
    }
  }

  @Property(tries = 50)
  void gatherAndScatterAddMatchTheModel(@ForAll("shapes") int[] shape, @ForAll boolean i32, @ForAll long seed) {
    Random rnd = new Random(seed);
    int dim = rnd.nextInt(shape.length);
    if (shape[dim] == 0) shape[dim] = 3;
    int[] is = shape.clone();
    for (int d = 0; d < is.length; d++) is[d] = d == dim ? rnd.nextInt(5) : rnd.nextInt(shape[d] + 1);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), DType.F64, -9, 9, true, shape);
      Tensor index = indexTensor(rnd, i32, shape[dim], is);
      long[] ix = index.toLongArray();
      double[] xv = values(x), gv = values(x.gather(dim, index));
      for (int f = 0; f < gv.length; f++) {
        int[] idx = unravel(f, is);
        idx[dim] = (int) ix[f];
        assertEquals(xv[(int) ravel(idx, shape)], gv[f], 0, "gather");
      }
      // scatter_add_: dst[..., index[i], ...] += src[i], repeated indices accumulate.
      Tensor src = TestTensors.uniform(rnd, DType.F64, -9, 9, true, is);
      Tensor dst = x.copy();
      dst.scatterAddInPlace(dim, index, src);
      double[] want = xv.clone(), sv = values(src);
      for (int f = 0; f < sv.length; f++) {
        int[] idx = unravel(f, is);
        idx[dim] = (int) ix[f];
        want[(int) ravel(idx, shape)] += sv[f];
      }
      assertArrayEquals(want, values(dst), 0);
    }
  }

  @Property(tries = 50)
  void catAndStackMatchTheModel(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    int dim = rnd.nextInt(shape.length);
    List<Tensor> parts = new ArrayList<>();
    try (TensorScope s = TensorScope.open()) {
      int k = 1 + rnd.nextInt(3);
      for (int p = 0; p < k; p++) {
        int[] ps = shape.clone();
        ps[dim] = rnd.nextInt(4);
        parts.add(TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -9, 9, ps));
      }
      Tensor got = Tensor.cat(dim, parts);
      int[] gs = got.shape();
      double[] gv = values(got);
      for (int f = 0; f < gv.length; f++) {
        int[] idx = unravel(f, gs);
        int p = 0;
        while (idx[dim] >= parts.get(p).size(dim)) idx[dim] -= parts.get(p++).size(dim);
        assertEquals(values(parts.get(p))[(int) ravel(idx, parts.get(p).shape())], gv[f], 0, "cat");
      }
      // stack = cat of unsqueezed equal-shape parts along a new dim.
      Tensor a = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -9, 9, shape), b = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -9, 9, shape);
      int sd = rnd.nextInt(shape.length + 1);
      Tensor st = Tensor.stack(sd, List.of(a, b));
      int[] want = new int[shape.length + 1];
      for (int d = 0, j = 0; d < want.length; d++) want[d] = d == sd ? 2 : shape[j++];
      assertArrayEquals(want, st.shape());
      assertArrayEquals(values(a), values(st.select(sd, 0)), 0);
      assertArrayEquals(values(b), values(st.select(sd, 1)), 0);
    }
  }

  @Property(tries = 50)
  void topkMatchesTheModel(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    int n = shape[shape.length - 1];
    int k = rnd.nextInt(n + 1);
    try (TensorScope s = TensorScope.open()) {
      // Integers make ties, broken towards the lower index.
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -4, 4, true, shape);
      Tensor[] vk = x.topk(k);
      double[] xv = values(x), vv = values(vk[0]);
      long[] iv = vk[1].toLongArray();
      long rows = n == 0 ? 0 : xv.length / n;
      for (int r = 0; r < rows; r++) {
        final int row = r;
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) order[j] = j;
        Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -xv[row * n + j]).thenComparingInt(j -> j));
        for (int j = 0; j < k; j++) {
          assertEquals((long) order[j], iv[r * k + j], "topk index, row " + r);
          assertEquals(xv[r * n + order[j]], vv[r * k + j], 0, "topk value, row " + r);
        }
      }
    }
  }

  @Property(tries = 50)
  void cumsumMatchesTheModelAndEndsWithTheSum(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    int dim = rnd.nextInt(shape.length);
    try (TensorScope s = TensorScope.open()) {
      Tensor x = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -9, 9, true, shape);
      Tensor c = x.cumsum(dim);
      double[] xv = values(x), cv = values(c);
      for (int f = 0; f < cv.length; f++) {
        int[] idx = unravel(f, shape);
        double want = 0;
        int upto = idx[dim];
        for (int j = 0; j <= upto; j++) {
          idx[dim] = j;
          want += xv[(int) ravel(idx, shape)];
        }
        // Integer sums are exact in F32 and F64; BF16 rounds each stored prefix sum once.
        assertEquals(want, cv[f], dt == DType.BF16 ? TestTensors.ulp(dt, want) : 0, "cumsum");
      }
      if (shape[dim] > 0 && dt != DType.BF16)
        assertClose(x.sum(dim, false), c.narrow(dim, shape[dim] - 1, 1).squeeze(dim), 0, 0);
    }
  }

  @Property(tries = 50)
  void clampMeanVarMatchTheModel(@ForAll("shapes") int[] shape, @ForAll("floats") DType dt, @ForAll long seed) {
    Random rnd = new Random(seed);
    try (TensorScope s = TensorScope.open()) {
      Tensor xd = TestTensors.view(rnd, TestTensors.anyLayout(rnd), dt, -9, 9, shape);
      double[] xdv = values(xd), cv = values(xd.clamp(-2, 3.5));
      for (int i = 0; i < xdv.length; i++) assertEquals(Math.min(Math.max(xdv[i], -2), 3.5), cv[i], 0, "clamp");
      Tensor x = xd.to(DType.F64);
      double[] xv = values(x);
      int dim = rnd.nextInt(shape.length);
      int n = shape[dim];
      if (n < 2) return;
      double[] mv = values(x.mean(dim, true)), vv = values(x.var(new int[] {dim}, true, false)), bv = values(x.var(new int[] {dim}, false, true));
      int[] ks = shape.clone();
      ks[dim] = 1;
      for (int f = 0; f < mv.length; f++) {
        int[] idx = unravel(f, ks);
        double sum = 0, sq = 0;
        for (int j = 0; j < n; j++) {
          idx[dim] = j;
          sum += xv[(int) ravel(idx, shape)];
        }
        double mean = sum / n;
        for (int j = 0; j < n; j++) {
          idx[dim] = j;
          double d = xv[(int) ravel(idx, shape)] - mean;
          sq += d * d;
        }
        assertEquals(mean, mv[f], 1e-12, "mean");
        assertEquals(sq / (n - 1), vv[f], 1e-9, "unbiased var");
        assertEquals(sq / n, bv[f], 1e-9, "biased var");
      }
    }
  }
}

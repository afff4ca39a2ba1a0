package dev.rmr1.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Views against a model that records, for every element of the view, which element of the base
 * tensor it is: random chains of reshape, permute, transpose, narrow, slice, expand, squeeze,
 * unsqueeze, select and contiguous must read the modelled values, agree on contiguity, and (while
 * they are views) write through to the modelled base elements.
 */
class ViewsTest {
  /**
   * A view as two row-major lists: for each element, the base element whose value it shows
   * ({@code src}) and its position in the storage it currently views ({@code pos}; a copy starts a
   * fresh dense storage).
   */
  record Model(int[] shape, long[] src, long[] pos) {
    static Model dense(int[] shape) {
      long[] s = new long[(int) Tensor.numel(shape)];
      for (int i = 0; i < s.length; i++) s[i] = i;
      return new Model(shape.clone(), s, s.clone());
    }

    /** A new view whose element at index idx is this model's element at map(idx). */
    Model remap(int[] newShape, java.util.function.Function<int[], int[]> map) {
      long[] s = new long[(int) Tensor.numel(newShape)], p = new long[s.length];
      for (int f = 0; f < s.length; f++) {
        int from = (int) TensorOpsTest.ravel(map.apply(TensorOpsTest.unravel(f, newShape)), shape);
        s[f] = src[from];
        p[f] = pos[from];
      }
      return new Model(newShape, s, p);
    }

    /** The same values in a new shape; {@code copied} when they were copied to fresh dense storage. */
    Model reshaped(int[] newShape, boolean copied) {
      if (!copied) return new Model(newShape, src, pos);
      long[] p = new long[src.length];
      for (int i = 0; i < p.length; i++) p[i] = i;
      return new Model(newShape, src, p);
    }

    /** Elements in consecutive storage positions, in order (every empty tensor qualifies, as in PyTorch). */
    boolean consecutive() {
      for (int i = 1; i < pos.length; i++) if (pos[i] != pos[0] + i) return false;
      return true;
    }
  }

  static int[] insert(int[] a, int at, int v) {
    int[] r = new int[a.length + 1];
    for (int i = 0, j = 0; i < r.length; i++) r[i] = i == at ? v : a[j++];
    return r;
  }

  static int[] remove(int[] a, int at) {
    int[] r = new int[a.length - 1];
    for (int i = 0, j = 0; i < a.length; i++) if (i != at) r[j++] = a[i];
    return r;
  }

  @Property(tries = 100)
  void chainsOfViewsMatchTheModel(@ForAll long seed) {
    Random rnd = new Random(seed);
    int[] shape = new int[1 + rnd.nextInt(4)];
    for (int i = 0; i < shape.length; i++) shape[i] = new int[] {1, 2, 3, 4, 5}[rnd.nextInt(5)];
    try (TensorScope s = TensorScope.open()) {
      Tensor base = TestTensors.uniform(rnd, DType.F32, -9, 9, shape);
      double[] baseValues = base.toDoubleArray();
      Tensor t = base;
      Model m = Model.dense(shape);
      boolean shares = true, expanded = false;
      StringBuilder chain = new StringBuilder(Arrays.toString(shape));
      for (int step = 0; step < 6; step++) {
        int r = m.shape.length;
        int[] sh = m.shape;
        int op = rnd.nextInt(10);
        if (r == 0 && op != 6) op = 6;
        switch (op) {
          case 0 -> { // reshape to a random factorisation
            int[] ns = rnd.nextBoolean() ? new int[] {(int) Tensor.numel(sh)} : new int[] {-1, sh[r - 1]};
            if (ns.length == 2 && sh[r - 1] == 0) ns = new int[] {0};
            boolean view = t.isContiguous();
            shares &= view;
            t = t.reshape(ns);
            m = m.reshaped(t.shape(), !view);
            chain.append(".reshape").append(Arrays.toString(ns));
          }
          case 1 -> {
            int[] order = new int[r];
            for (int i = 0; i < r; i++) order[i] = i;
            for (int i = r - 1; i > 0; i--) {
              int j = rnd.nextInt(i + 1), x = order[i];
              order[i] = order[j];
              order[j] = x;
            }
            t = t.permute(order);
            int[] ns = new int[r];
            for (int i = 0; i < r; i++) ns[i] = sh[order[i]];
            m = m.remap(ns, idx -> {
              int[] o = new int[r];
              for (int i = 0; i < r; i++) o[order[i]] = idx[i];
              return o;
            });
            chain.append(".permute").append(Arrays.toString(order));
          }
          case 2 -> {
            int a = rnd.nextInt(r), b = rnd.nextInt(r);
            t = t.transpose(a, b - r);
            int[] ns = sh.clone();
            ns[a] = sh[b];
            ns[b] = sh[a];
            m = m.remap(ns, idx -> {
              int[] o = idx.clone();
              o[a] = idx[b];
              o[b] = idx[a];
              return o;
            });
            chain.append(".transpose(").append(a).append(',').append(b - r).append(')');
          }
          case 3 -> {
            int d = rnd.nextInt(r), start = rnd.nextInt(sh[d] + 1), len = rnd.nextInt(sh[d] - start + 1);
            t = t.narrow(d, start, len);
            int[] ns = sh.clone();
            ns[d] = len;
            m = m.remap(ns, idx -> {
              int[] o = idx.clone();
              o[d] += start;
              return o;
            });
            chain.append(".narrow(").append(d).append(',').append(start).append(',').append(len).append(')');
          }
          case 4 -> {
            int d = rnd.nextInt(r), start = rnd.nextInt(sh[d] + 1), end = start + rnd.nextInt(sh[d] - start + 1), stepSize = 1 + rnd.nextInt(3);
            t = t.slice(d, start, end, stepSize);
            int[] ns = sh.clone();
            ns[d] = (end - start + stepSize - 1) / stepSize;
            m = m.remap(ns, idx -> {
              int[] o = idx.clone();
              o[d] = start + stepSize * idx[d];
              return o;
            });
            chain.append(".slice(").append(d).append(',').append(start).append(':').append(end).append(':').append(stepSize).append(')');
          }
          case 5 -> { // expand size-1 dims and add a leading dim
            int[] ns = insert(sh, 0, 2);
            for (int i = 1; i < ns.length; i++) if (ns[i] == 1 && rnd.nextBoolean()) ns[i] = 3;
            t = t.expand(ns);
            m = m.remap(ns, idx -> {
              int[] o = Arrays.copyOfRange(idx, 1, idx.length);
              for (int i = 0; i < o.length; i++) if (sh[i] == 1) o[i] = 0;
              return o;
            });
            expanded = true;
            chain.append(".expand").append(Arrays.toString(ns));
          }
          case 6 -> {
            int d = rnd.nextInt(r + 1);
            t = t.unsqueeze(d);
            m = m.remap(insert(sh, d, 1), idx -> remove(idx, d));
            chain.append(".unsqueeze(").append(d).append(')');
          }
          case 7 -> {
            int d = rnd.nextInt(r);
            if (sh[d] != 1) { // only size-1 dims can be squeezed
              Tensor cur = t;
              assertThrows(IllegalArgumentException.class, () -> cur.squeeze(d));
              continue;
            }
            t = t.squeeze(d);
            m = m.remap(remove(sh, d), idx -> insert(idx, d, 0));
            chain.append(".squeeze(").append(d).append(')');
          }
          case 8 -> {
            int d = rnd.nextInt(r);
            if (sh[d] == 0) continue;
            int i = rnd.nextInt(sh[d]);
            t = t.select(d, i);
            m = m.remap(remove(sh, d), idx -> insert(idx, d, i));
            chain.append(".select(").append(d).append(',').append(i).append(')');
          }
          default -> {
            boolean view = t.isContiguous();
            shares &= view;
            t = t.contiguous();
            m = m.reshaped(m.shape, !view);
            chain.append(".contiguous()");
          }
        }
        String where = chain.toString();
        assertArrayEquals(m.shape, t.shape(), where);
        assertEquals(m.consecutive(), t.isContiguous(), "isContiguous after " + where);
        double[] got = t.toDoubleArray();
        for (int i = 0; i < got.length; i++) assertEquals(baseValues[(int) m.src[i]], got[i], 0, "element " + i + " after " + where);
      }
      // Writes through a view land on the modelled base elements (not meaningful once broadcast).
      if (shares && !expanded && t.numel() > 0) {
        t.fill(1234);
        double[] after = base.toDoubleArray();
        boolean[] hit = new boolean[after.length];
        for (long i : m.src) hit[(int) i] = true;
        for (int i = 0; i < after.length; i++) assertEquals(hit[i] ? 1234 : baseValues[i], after[i], 0, "base element " + i + " after fill of " + chain);
      }
    }
  }

  @Test
  void viewErrorsNameTheViewAndShape() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = Tensor.zeros(DType.F32, 2, 3);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.reshape(4, 2));
      assertTrue(e.getMessage().contains("[4, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> x.transpose(0, 1).view(6));
      assertTrue(e.getMessage().contains("non-contiguous"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> x.expand(2, 5));
      assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[2, 5]"), e.getMessage());
      assertThrows(IndexOutOfBoundsException.class, () -> x.narrow(1, 2, 2));
      assertThrows(IndexOutOfBoundsException.class, () -> x.select(0, 2));
      assertThrows(IndexOutOfBoundsException.class, () -> x.transpose(0, 2));
      assertThrows(IllegalArgumentException.class, () -> x.permute(0, 0));
    }
  }
}

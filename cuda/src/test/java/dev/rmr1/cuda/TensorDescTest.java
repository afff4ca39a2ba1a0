package dev.rmr1.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.TestTensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The TensorDesc the kernels receive (no GPU needed): its byte layout is the CUDA struct's, and the
 * collapsed form maps every row-major linear index to the same storage offset as the view.
 */
class TensorDescTest {
  /** A Java port of the kernels' offset_of(), reading the 112-byte struct. */
  static long offsetOf(byte[] desc, long linear) {
    ByteBuffer b = ByteBuffer.wrap(desc).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(108) != 0) return b.getLong(0) + linear;
    int ndim = b.getInt(104);
    long off = b.getLong(0);
    for (int k = ndim - 1; k > 0; k--) {
      int s = b.getInt(72 + 4 * k);
      off += (linear % s) * b.getLong(8 + 8 * k);
      linear /= s;
    }
    return ndim > 0 ? off + linear * b.getLong(8) : off;
  }

  /** The view's own offsets, row-major, from its shape and strides. */
  static long[] offsets(Tensor t) {
    int n = Math.toIntExact(t.numel());
    long[] r = new long[n];
    int[] s = t.shape();
    long[] st = t.strides();
    for (int i = 0; i < n; i++) {
      long off = t.offset(), lin = i;
      for (int k = s.length - 1; k >= 0; k--) {
        off += (lin % s[k]) * st[k];
        lin /= s[k];
      }
      r[i] = off;
    }
    return r;
  }

  @Provide
  Arbitrary<int[]> shapes() {
    return TestTensors.shapes(0, 4, 3000);
  }

  @Property(tries = 200)
  void collapsedDescsAddressTheSameElements(@ForAll("shapes") int[] shape, @ForAll long seed) {
    Random rnd = new Random(seed);
    try (TensorScope s = TensorScope.open()) {
      Tensor t = TestTensors.view(rnd, TestTensors.anyLayout(rnd), DType.F32, 0, 1, shape);
      if (rnd.nextBoolean() && t.dim() >= 2) t = t.transpose(0, t.dim() - 1);
      byte[] collapsed = CudaBackend.desc(t), raw = CudaBackend.rawDesc(t.offset(), t.shape(), t.strides());
      long[] want = offsets(t);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], offsetOf(collapsed, i), "collapsed desc, element " + i + " of " + t);
        assertEquals(want[i], offsetOf(raw, i), "raw desc, element " + i + " of " + t);
      }
      if (t.isContiguous() && t.numel() > 0) assertEquals(1, ByteBuffer.wrap(collapsed).order(ByteOrder.LITTLE_ENDIAN).getInt(108), "dense " + t);
    }
  }

  @Example
  void layoutMatchesTheCudaStruct() {
    // struct TensorDesc { long long offset; long long strides[8]; int shape[8]; int ndim; int contiguous; } = 112 bytes
    byte[] d = CudaBackend.rawDesc(5, new int[] {2, 3}, new long[] {1, 2});
    ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(112, d.length);
    assertEquals(5, b.getLong(0));
    assertEquals(1, b.getLong(8));
    assertEquals(2, b.getLong(16));
    assertEquals(2, b.getInt(72));
    assertEquals(3, b.getInt(76));
    assertEquals(2, b.getInt(104));
    assertEquals(0, b.getInt(108));
    assertEquals(1, ByteBuffer.wrap(CudaBackend.rawDesc(0, new int[] {2, 3}, new long[] {3, 1})).order(ByteOrder.LITTLE_ENDIAN).getInt(108));
    assertThrows(IllegalArgumentException.class, () -> CudaBackend.rawDesc(0, new int[9], new long[9]));
    // nine dims that merge into one are fine for the collapsed form
    assertEquals(1, ByteBuffer.wrap(CudaBackend.desc(0, new int[] {1, 2, 1, 2, 1, 2, 1, 2, 2}, new long[] {32, 16, 16, 8, 8, 4, 4, 2, 1}))
        .order(ByteOrder.LITTLE_ENDIAN).getInt(104));
  }

  /** Views whose elements fill one storage span (dense, transposed, permuted) and views that do not (slices, broadcasts). */
  @Example
  void spansOfDenseTensorsInAnyDimOrder() {
    try (TensorScope s = TensorScope.open()) {
      Tensor t = Tensor.zeros(DType.F32, 3, 4, 5);
      assertEquals(true, CudaBackend.fillsSpan(t));
      assertEquals(true, CudaBackend.fillsSpan(t.transpose(0, 2)));
      assertEquals(true, CudaBackend.fillsSpan(t.permute(1, 2, 0)));
      assertEquals(true, CudaBackend.fillsSpan(t.narrow(0, 1, 1))); // one whole (4, 5) block
      assertEquals(true, CudaBackend.fillsSpan(t.unsqueeze(1)));
      assertEquals(false, CudaBackend.fillsSpan(t.narrow(2, 0, 4)));
      assertEquals(false, CudaBackend.fillsSpan(t.narrow(1, 1, 2)));
      assertEquals(false, CudaBackend.fillsSpan(Tensor.zeros(DType.F32, 1, 5).expand(3, 5)));
      assertEquals(false, CudaBackend.fillsSpan(t.slice(2, 0, 5, 2)));
    }
  }
}

package dev.rmr1.tensor;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.tensor.cpu.NativeMemory;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorCoreTest {
  @Test
  void viewsShareStorageAndSeeWrites() {
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
      Tensor t = a.transpose(0, 1);
      assertArrayEquals(new int[] {3, 2}, t.shape());
      assertFalse(t.isContiguous());
      assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.toFloatArray());
      a.narrow(1, 1, 1).fill(9);
      assertArrayEquals(new float[] {0, 9, 2, 3, 9, 5}, a.toFloatArray());
      assertArrayEquals(new float[] {9, 9}, t.select(0, 1).toFloatArray());
      assertArrayEquals(new float[] {0, 2, 3, 5}, a.slice(1, 0, 3, 2).toFloatArray());
      assertArrayEquals(new int[] {4, 2, 3}, a.unsqueeze(0).expand(4, 2, 3).shape());
    }
  }

  @Test
  void broadcastingMatmulSoftmaxReductions() {
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
      Tensor b = Tensor.of(new float[] {10, 20}, 2);
      assertArrayEquals(new float[] {11, 22, 13, 24}, a.add(b).toFloatArray());
      assertArrayEquals(new float[] {7, 10, 15, 22}, a.matmul(a).toFloatArray());
      assertArrayEquals(new float[] {4, 6}, a.sum(0, false).toFloatArray());
      assertArrayEquals(new long[] {1, 1}, a.argmax(1, false).toLongArray());
      float[] sm = a.softmax(-1).toFloatArray();
      assertEquals(1.0, sm[0] + sm[1], 1e-6);
      assertEquals(Tensor.cat(0, List.of(a, a)).size(0), 4);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.of(new float[] {1, 2, 3}, 3)));
      assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("[3]"), e.getMessage());
    }
  }

  @Test
  void ownsStorageOnlyWhileNoOtherHandleSeesIt() {
    try (Tensor t = Tensor.zeros(DType.F32, 2, 3)) {
      assertTrue(t.ownsStorage());
      Tensor view = t.transpose(0, 1);
      assertFalse(t.ownsStorage());
      assertFalse(view.ownsStorage());
      view.close();
      assertTrue(t.ownsStorage());
      Tensor alone = t.reshape(6);
      t.close();
      assertTrue(alone.ownsStorage(), "the view outlived the tensor it was made from");
      alone.close();
    }
  }

  @Test
  void closedTensorFailsClearly() {
    Tensor a = Tensor.zeros(DType.F32, 3);
    a.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, a::toFloatArray);
    assertTrue(e.getMessage().contains("released"));
  }

  @Test
  void tenThousandStepsKeepNativeMemoryFlat() {
    Tensor w = Tensor.ones(DType.F32, 16, 16);
    Runnable step = () -> {
      try (TensorScope s = TensorScope.open()) {
        Tensor x = Tensor.full(Device.CPU, DType.F32, 0.5, 4, 16);
        Tensor y = x.matmul(w).silu().softmax(-1).sum();
        assertTrue(y.item() > 0);
      }
    };
    for (int i = 0; i < 100; i++) step.run();
    long before = NativeMemory.liveBytes();
    for (int i = 0; i < 10_000; i++) step.run();
    assertEquals(before, NativeMemory.liveBytes(), "native memory grew over 10,000 steps");
    w.close();
  }

  @Test
  void bf16RoundsToNearestEven() {
    // 1 + 2^-8 lies exactly between two BF16 values (1 and 1 + 2^-7): ties go to the even one, 1.
    assertEquals(1.0f, DType.bf16ToFloat(DType.floatToBf16(1f + 0x1p-8f)));
    assertEquals(1f + 0x1p-6f, DType.bf16ToFloat(DType.floatToBf16(1f + 0x1p-7f + 0x1p-8f)));
    assertEquals(0.8427007929497149, Erf.erf(1.0), 1e-15);
    assertEquals(-0.9999779095030014, Erf.erf(-3.0), 1e-15);
  }

  /** erfc keeps its relative accuracy where 1 - erf cancels, and so does GELU's negative tail (values from mpmath, 40 digits). */
  @Test
  void erfcAndTheGeluTailKeepRelativeAccuracy() {
    assertEquals(1.537459794428034850e-12, Erf.erfc(5), 1e-14 * 1.54e-12);
    assertEquals(1.122429717298292708e-29, Erf.erfc(8), 1e-14 * 1.13e-29);
    assertEquals(1.842700792949714869, Erf.erfc(-1), 1e-15);
    assertEquals(0.6713732405408725838, Erf.erfc(0.3), 1e-15);
    assertEquals(0.0, Erf.erfc(30));
    assertEquals(2.0, Erf.erfc(Double.NEGATIVE_INFINITY));
    assertEquals(-4.976768459417427299e-15, UnaryOp.GELU.apply(-8), 1e-13 * 4.98e-15);
    assertEquals(-5.919525870226188844e-9, UnaryOp.GELU.apply(-6), 1e-13 * 5.92e-9);
  }

  @Test
  void escapedTensorOutlivesItsScope() {
    Tensor kept;
    try (TensorScope s = TensorScope.open()) {
      kept = TensorScope.escape(Tensor.ones(DType.F32, 2));
      Tensor dropped = Tensor.ones(DType.F32, 2);
      assertEquals(1, s.liveCount());
      assertFalse(dropped.isClosed());
    }
    assertFalse(kept.isClosed());
    assertArrayEquals(new float[] {1, 1}, kept.toFloatArray());
    kept.close();
  }
}

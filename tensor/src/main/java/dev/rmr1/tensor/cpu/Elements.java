package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scalar element access to CPU tensors by storage index, for reference kernels and tests. Aligned
 * layouts are used: storage is 64-byte aligned and offsets are whole elements.
 */
public final class Elements {
  private Elements() {}

  public static MemorySegment segment(Tensor t) {
    return ((CpuStorage) t.storage()).segment();
  }

  public static double get(MemorySegment s, DType dt, long i) {
    return switch (dt) {
      case F32 -> s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
      case F64 -> s.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
      case BF16 -> DType.bf16ToFloat(s.getAtIndex(ValueLayout.JAVA_SHORT, i));
      case F16 -> DType.f16ToFloat(s.getAtIndex(ValueLayout.JAVA_SHORT, i));
      case I32 -> s.getAtIndex(ValueLayout.JAVA_INT, i);
      case I64 -> s.getAtIndex(ValueLayout.JAVA_LONG, i);
      case BOOL, U8 -> s.get(ValueLayout.JAVA_BYTE, i) & 0xff;
    };
  }

  public static long getLong(MemorySegment s, DType dt, long i) {
    return switch (dt) {
      case I32 -> s.getAtIndex(ValueLayout.JAVA_INT, i);
      case I64 -> s.getAtIndex(ValueLayout.JAVA_LONG, i);
      case BOOL, U8 -> s.get(ValueLayout.JAVA_BYTE, i) & 0xff;
      default -> (long) get(s, dt, i);
    };
  }

  /** Stores v cast to dt: round to nearest even for floats, truncation toward zero for integers. */
  public static void set(MemorySegment s, DType dt, long i, double v) {
    switch (dt) {
      case F32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
      case F64 -> s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
      case BF16 -> s.setAtIndex(ValueLayout.JAVA_SHORT, i, DType.floatToBf16((float) v));
      case F16 -> s.setAtIndex(ValueLayout.JAVA_SHORT, i, DType.floatToF16((float) v));
      case I32 -> s.setAtIndex(ValueLayout.JAVA_INT, i, (int) (long) v);
      case I64 -> s.setAtIndex(ValueLayout.JAVA_LONG, i, (long) v);
      case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
      case U8 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (long) v);
    }
  }

  public static void setLong(MemorySegment s, DType dt, long i, long v) {
    switch (dt) {
      case I32 -> s.setAtIndex(ValueLayout.JAVA_INT, i, (int) v);
      case I64 -> s.setAtIndex(ValueLayout.JAVA_LONG, i, v);
      case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
      case U8 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) v);
      default -> set(s, dt, i, v);
    }
  }
}

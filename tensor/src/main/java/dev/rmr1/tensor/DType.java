package dev.rmr1.tensor;

/**
 * Element types. Names follow safetensors ({@code "F32"}, {@code "BF16"}, ...) so that headers map
 * one to one. Floating casts round to nearest, ties to even (as PyTorch's {@code .to()}).
 */
public enum DType {
  F32(4, true),
  F64(8, true),
  BF16(2, true),
  F16(2, true),
  I32(4, false),
  I64(8, false),
  /** One byte per element, 0 or 1; the result of comparisons and the condition of {@code where}. */
  BOOL(1, false),
  /** Unsigned byte (safetensors {@code U8}). */
  U8(1, false);

  private final int byteSize;
  private final boolean floating;

  DType(int byteSize, boolean floating) {
    this.byteSize = byteSize;
    this.floating = floating;
  }

  public int byteSize() {
    return byteSize;
  }

  public boolean isFloating() {
    return floating;
  }

  /** The safetensors dtype string of this type. */
  public String safetensorsName() {
    return name();
  }

  /** Parses a safetensors dtype string; {@code null} when the type is not supported. */
  public static DType fromSafetensorsName(String name) {
    return switch (name) {
      case "F32" -> F32;
      case "F64" -> F64;
      case "BF16" -> BF16;
      case "F16" -> F16;
      case "I32" -> I32;
      case "I64" -> I64;
      case "BOOL" -> BOOL;
      case "U8" -> U8;
      default -> null;
    };
  }

  // ---- scalar conversions shared by every backend's reference path ----

  /** float to bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN. */
  public static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 0x40);
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  public static float bf16ToFloat(short b) {
    return Float.intBitsToFloat((b & 0xffff) << 16);
  }

  /** float to IEEE half bits, round to nearest even (JDK implementation). */
  public static short floatToF16(float f) {
    return Float.floatToFloat16(f);
  }

  public static float f16ToFloat(short h) {
    return Float.float16ToFloat(h);
  }
}

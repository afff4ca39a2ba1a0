package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float lanes of the preferred species and the loads and stores that move F32, BF16 and BOOL storage
 * in and out of them. BF16 is widened exactly on load (its bits are the top half of an F32) and
 * rounded to nearest even on store, bit for bit as {@link DType#floatToBf16}. Only loaded when
 * {@link Simd#ENABLED}.
 *
 * <p>Indices are in elements of the storage (as tensor offsets and strides are); segments must be
 * native (heap segments of non-byte arrays cannot be viewed as vectors).
 */
final class Lanes {
  private Lanes() {}

  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  /** Lanes per vector. */
  static final int N = F.length();
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  /** BF16 bits, one short lane per float lane (half the vector width). */
  private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(N * 16));
  /** BOOL bytes, one byte lane per float lane when the shape exists (vectors of 64 bits or more). */
  private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, N * 8)));
  private static final boolean BYTE_LANES_MATCH = B.length() == N;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  /** Lanes [i, end) of a vector starting at element i. */
  static VectorMask<Float> tail(int i, int end) {
    return F.indexInRange(i, end);
  }

  static FloatVector broadcast(float v) {
    return FloatVector.broadcast(F, v);
  }

  static float get(MemorySegment s, DType t, long i) {
    return t == DType.F32 ? s.getAtIndex(ValueLayout.JAVA_FLOAT, i)
        : DType.bf16ToFloat(s.getAtIndex(ValueLayout.JAVA_SHORT, i));
  }

  static FloatVector load(MemorySegment s, DType t, long i) {
    if (t == DType.F32) return FloatVector.fromMemorySegment(F, s, i * 4, ORDER);
    return widen(ShortVector.fromMemorySegment(S, s, i * 2, ORDER));
  }

  static FloatVector load(MemorySegment s, DType t, long i, VectorMask<Float> m) {
    if (t == DType.F32) return FloatVector.fromMemorySegment(F, s, i * 4, ORDER, m);
    return widen(ShortVector.fromMemorySegment(S, s, i * 2, ORDER, m.cast(S)));
  }

  static void store(FloatVector v, MemorySegment s, DType t, long i) {
    if (t == DType.F32) v.intoMemorySegment(s, i * 4, ORDER);
    else narrow(v).intoMemorySegment(s, i * 2, ORDER);
  }

  static void store(FloatVector v, MemorySegment s, DType t, long i, VectorMask<Float> m) {
    if (t == DType.F32) v.intoMemorySegment(s, i * 4, ORDER, m);
    else narrow(v).intoMemorySegment(s, i * 2, ORDER, m.cast(S));
  }

  private static FloatVector widen(ShortVector bits) {
    // Sign extension fills the high half, which the shift discards.
    IntVector wide = (IntVector) bits.convertShape(VectorOperators.S2I, I, 0);
    return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  /** Round to nearest even on the 16 bits kept; NaN stays a quiet NaN (as DType.floatToBf16). */
  private static ShortVector narrow(FloatVector v) {
    IntVector bits = v.reinterpretAsInts();
    IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
    IntVector rounded = bits.add(high.and(1).add(0x7fff)).lanewise(VectorOperators.LSHR, 16);
    IntVector r = rounded.blend(high.or(0x40), v.test(VectorOperators.IS_NAN).cast(I));
    return (ShortVector) r.convertShape(VectorOperators.I2S, S, 0);
  }

  /** BOOL bytes at [i, i+N) (nonzero = true) as a float mask. */
  static VectorMask<Float> loadBool(MemorySegment s, long i) {
    if (BYTE_LANES_MATCH) return ByteVector.fromMemorySegment(B, s, i, ORDER).compare(VectorOperators.NE, 0).cast(F);
    return loadBool(s, i, N);
  }

  /** The first {@code count} BOOL bytes at i as a float mask (the other lanes false). */
  static VectorMask<Float> loadBool(MemorySegment s, long i, int count) {
    long bits = 0;
    for (int j = 0; j < count; j++) if (s.get(ValueLayout.JAVA_BYTE, i + j) != 0) bits |= 1L << j;
    return VectorMask.fromLong(F, bits);
  }

  /** Writes the mask as BOOL bytes (1 or 0) at [i, i+N). */
  static void storeBool(VectorMask<Float> m, MemorySegment s, long i) {
    if (BYTE_LANES_MATCH) ByteVector.zero(B).blend((byte) 1, m.cast(B)).intoMemorySegment(s, i, ORDER);
    else storeBool(m, s, i, N);
  }

  /** Writes the first {@code count} lanes of the mask as BOOL bytes at i. */
  static void storeBool(VectorMask<Float> m, MemorySegment s, long i, int count) {
    long bits = m.toLong();
    for (int j = 0; j < count; j++) s.set(ValueLayout.JAVA_BYTE, i + j, (byte) ((bits >>> j) & 1));
  }

  /** a * b + c, fused where the hardware has FMA. */
  static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
    return Simd.FMA ? a.fma(b, c) : a.mul(b).add(c);
  }

  // exp(x) = 2^n * exp(r) with n = round(x / ln 2) and |r| <= ln(2)/2; exp(r) by its Taylor series
  // to degree 7 (truncation error < 2^-26 relative), 2^n assembled from exponent bits in two halves
  // so that results in the subnormal range are rounded once. Arguments are clamped to
  // [-104, 89]: beyond them the float result is 0 or infinity anyway.
  private static final float LOG2E = 1.44269504088896341f;
  private static final float LN2_HI = 0.693145751953125f; // ln 2 to 16 bits: n * LN2_HI is exact
  private static final float LN2_LO = 1.42860682030941723212e-6f;
  private static final float ROUND = 12582912f; // 1.5 * 2^23: adding it rounds to an integer

  static FloatVector exp(FloatVector x) {
    FloatVector xc = x.max(-104f).min(89f);
    FloatVector t = fma(xc, broadcast(LOG2E), broadcast(ROUND));
    FloatVector n = t.sub(ROUND);
    FloatVector r = fma(n, broadcast(-LN2_HI), xc);
    r = fma(n, broadcast(-LN2_LO), r);
    FloatVector p = broadcast(1f / 5040);
    p = fma(p, r, broadcast(1f / 720));
    p = fma(p, r, broadcast(1f / 120));
    p = fma(p, r, broadcast(1f / 24));
    p = fma(p, r, broadcast(1f / 6));
    p = fma(p, r, broadcast(0.5f));
    p = fma(p, r, broadcast(1f));
    p = fma(p, r, broadcast(1f));
    IntVector k = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND)); // n as an int, in [-151, 129]
    IntVector k1 = k.lanewise(VectorOperators.ASHR, 1);
    FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    FloatVector s2 = k.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    // NaN survives the clamp (max/min propagate it) and the polynomial.
    return p.mul(s1).mul(s2);
  }
}

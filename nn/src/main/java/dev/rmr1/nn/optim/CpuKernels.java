package dev.rmr1.nn.optim;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.Elements;
import dev.rmr1.tensor.cpu.LaneSums;
import dev.rmr1.tensor.cpu.Parallel;
import dev.rmr1.tensor.cpu.Simd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused one-pass CPU loops for dense F32 tensors: the AdamW update (one read and write of each
 * buffer instead of a dozen tensor operations and temporaries) and the sum of squares of gradient
 * clipping, on Vector API lanes when it is available (scalar loops otherwise and for the tails).
 * Work is split into fixed blocks, so results do not depend on the thread count.
 */
final class CpuKernels {
  private static final int BLOCK = 1 << 14;

  private CpuKernels() {}

  /** All tensors on the CPU, F32 and dense (element i at storage index offset + i). */
  static boolean denseCpuF32(Tensor... ts) {
    for (Tensor t : ts) if (!t.device().isCpu() || t.dtype() != DType.F32 || !t.isContiguous()) return false;
    return true;
  }

  /**
   * {@link AdamW#composedUpdate} element by element: the same float operations in the same order
   * (each composed op computes in double and rounds to float, which equals the float operation for
   * +, -, *, / and sqrt), so the results are bit-identical.
   */
  static void adamW(Tensor p, Tensor g, Tensor m, Tensor v, AdamW.Coefficients c) {
    MemorySegment ps = Elements.segment(p), gs = Elements.segment(g), ms = Elements.segment(m), vs = Elements.segment(v);
    long po = p.offset(), go = g.offset(), mo = m.offset(), vo = v.offset();
    long n = p.numel();
    AdamWStep k = new AdamWStep(c.decay(), Math.abs(c.lerpWeight()) < 0.5, (float) c.decayFactor(), (float) c.lerpWeight(), (float) (1 - c.lerpWeight()),
        (float) c.beta2(), (float) c.gradSqWeight(), (float) c.biasCorrection2Sqrt(), (float) c.eps(), (float) c.negStepSize());
    boolean vector = Simd.ENABLED && ps.isNative() && gs.isNative() && ms.isNative() && vs.isNative();
    forBlocks(n, (lo, hi) -> {
      long i = vector ? k.vectors(ps, po, gs, go, ms, mo, vs, vo, lo, hi) : lo;
      k.scalars(ps, po, gs, go, ms, mo, vs, vo, i, hi);
    });
  }

  /**
   * The float constants of one AdamW update and its loop, as vectors (elements lo .. a multiple of
   * the vector length) and as scalars (the rest, or all without the Vector API). Both evaluate the
   * same float expressions, without FMA, in the order of {@link AdamW#composedUpdate}: IEEE
   * arithmetic makes each lane equal the scalar result.
   */
  private record AdamWStep(boolean decay, boolean smallWeight, float decayFactor, float w, float oneMinusW, float beta2, float gradSqWeight,
      float bc2Sqrt, float eps, float negStepSize) {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Updates [lo, lo + whole vectors) and returns where the vectors stopped. */
    long vectors(MemorySegment ps, long po, MemorySegment gs, long go, MemorySegment ms, long mo, MemorySegment vs, long vo, long lo, long hi) {
      int lanes = F.length();
      long i = lo;
      for (; i <= hi - lanes; i += lanes) {
        FloatVector pv = load(ps, po + i), gv = load(gs, go + i), mv = load(ms, mo + i), vv = load(vs, vo + i);
        if (decay) pv = pv.mul(decayFactor);
        FloatVector diff = gv.sub(mv);
        mv = smallWeight ? mv.add(diff.mul(w)) : gv.sub(diff.mul(oneMinusW));
        vv = vv.mul(beta2).add(gv.mul(gradSqWeight).mul(gv));
        FloatVector denom = vv.sqrt().div(bc2Sqrt).add(eps);
        pv = pv.add(mv.div(denom).mul(negStepSize));
        pv.intoMemorySegment(ps, (po + i) * 4, ByteOrder.nativeOrder());
        mv.intoMemorySegment(ms, (mo + i) * 4, ByteOrder.nativeOrder());
        vv.intoMemorySegment(vs, (vo + i) * 4, ByteOrder.nativeOrder());
      }
      return i;
    }

    private static FloatVector load(MemorySegment s, long index) {
      return FloatVector.fromMemorySegment(F, s, index * 4, ByteOrder.nativeOrder());
    }

    void scalars(MemorySegment ps, long po, MemorySegment gs, long go, MemorySegment ms, long mo, MemorySegment vs, long vo, long lo, long hi) {
      for (long i = lo; i < hi; i++) {
        float pv = ps.getAtIndex(ValueLayout.JAVA_FLOAT, po + i);
        float gv = gs.getAtIndex(ValueLayout.JAVA_FLOAT, go + i);
        float mv = ms.getAtIndex(ValueLayout.JAVA_FLOAT, mo + i);
        float vv = vs.getAtIndex(ValueLayout.JAVA_FLOAT, vo + i);
        if (decay) pv = pv * decayFactor;
        float diff = gv - mv;
        mv = smallWeight ? mv + diff * w : gv - diff * oneMinusW;
        vv = vv * beta2 + (gv * gradSqWeight) * gv;
        float denom = (float) Math.sqrt(vv) / bc2Sqrt + eps;
        pv = pv + (mv / denom) * negStepSize;
        ps.setAtIndex(ValueLayout.JAVA_FLOAT, po + i, pv);
        ms.setAtIndex(ValueLayout.JAVA_FLOAT, mo + i, mv);
        vs.setAtIndex(ValueLayout.JAVA_FLOAT, vo + i, vv);
      }
    }
  }

  /** Sum of x^2 over all elements, accumulated in double; block partial sums are added in block order. */
  static double sumOfSquares(Tensor t) {
    MemorySegment s = Elements.segment(t);
    long o = t.offset(), n = t.numel();
    boolean vector = Simd.ENABLED && s.isNative();
    double[] partial = new double[blockCount(n)];
    forBlocks(n, (lo, hi) -> {
      long i = vector ? SumOfSquares.vectorEnd(lo, hi) : lo;
      double acc = vector ? SumOfSquares.vectors(s, o + lo, o + i) : 0;
      for (; i < hi; i++) {
        double x = s.getAtIndex(ValueLayout.JAVA_FLOAT, o + i);
        acc += x * x;
      }
      partial[(int) (lo / BLOCK)] = acc;
    });
    double total = 0;
    for (double x : partial) total += x;
    return total;
  }

  /**
   * The vector loop of {@link #sumOfSquares}: floats loaded half a vector at a time and widened to
   * a full vector of doubles, so the products are the scalar loop's exact double products, summed
   * in another order.
   */
  private static final class SumOfSquares {
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final int STEP = 2 * D.length();

    /** Where the vector loop over [lo, hi) stops: lo plus whole steps. */
    static long vectorEnd(long lo, long hi) {
      return lo + (hi - lo) / STEP * STEP;
    }

    /** Sum of x^2 over storage elements [from, to), to - from a multiple of the step. */
    static double vectors(MemorySegment s, long from, long to) {
      DoubleVector a0 = DoubleVector.zero(D), a1 = a0;
      int half = D.length();
      for (long i = from; i < to; i += STEP) {
        DoubleVector x0 = (DoubleVector) FloatVector.fromMemorySegment(HALF, s, i * 4, ByteOrder.nativeOrder()).convertShape(VectorOperators.F2D, D, 0);
        DoubleVector x1 = (DoubleVector) FloatVector.fromMemorySegment(HALF, s, (i + half) * 4, ByteOrder.nativeOrder())
            .convertShape(VectorOperators.F2D, D, 0);
        a0 = a0.add(x0.mul(x0));
        a1 = a1.add(x1.mul(x1));
      }
      return LaneSums.sum(a0.add(a1));
    }
  }

  @FunctionalInterface
  private interface ElementRange {
    void run(long lo, long hi);
  }

  private static int blockCount(long n) {
    return Math.toIntExact((n + BLOCK - 1) / BLOCK);
  }

  /** Runs body over [0, n) in blocks of {@link #BLOCK} elements, blocks spread over the CPU pool. */
  private static void forBlocks(long n, ElementRange body) {
    Parallel.forRange(blockCount(n), 1, (lo, hi) -> {
      for (int b = lo; b < hi; b++) body.run((long) b * BLOCK, Math.min(n, (long) (b + 1) * BLOCK));
    });
  }
}

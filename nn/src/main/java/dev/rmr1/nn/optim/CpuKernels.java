package dev.rmr1.nn.optim;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.Elements;
import dev.rmr1.tensor.cpu.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Fused one-pass CPU loops for dense F32 tensors: the AdamW update (one read and write of each
 * buffer instead of a dozen tensor operations and temporaries) and the sum of squares of gradient
 * clipping. Work is split into fixed blocks, so results do not depend on the thread count.
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
    boolean decay = c.decay(), smallWeight = Math.abs(c.lerpWeight()) < 0.5;
    float decayFactor = (float) c.decayFactor(), w = (float) c.lerpWeight(), oneMinusW = (float) (1 - c.lerpWeight());
    float beta2 = (float) c.beta2(), gradSqWeight = (float) c.gradSqWeight(), bc2Sqrt = (float) c.biasCorrection2Sqrt();
    float eps = (float) c.eps(), negStepSize = (float) c.negStepSize();
    forBlocks(n, (lo, hi) -> {
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
    });
  }

  /** Sum of x^2 over all elements, accumulated in double; block partial sums are added in block order. */
  static double sumOfSquares(Tensor t) {
    MemorySegment s = Elements.segment(t);
    long o = t.offset(), n = t.numel();
    double[] partial = new double[blockCount(n)];
    forBlocks(n, (lo, hi) -> {
      double acc = 0;
      for (long i = lo; i < hi; i++) {
        double x = s.getAtIndex(ValueLayout.JAVA_FLOAT, o + i);
        acc += x * x;
      }
      partial[(int) (lo / BLOCK)] = acc;
    });
    double total = 0;
    for (double x : partial) total += x;
    return total;
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

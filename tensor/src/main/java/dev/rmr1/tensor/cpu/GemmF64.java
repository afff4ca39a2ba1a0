package dev.rmr1.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * F64 GEMM on the Vector API: the F32 design ({@link GemmF32}) with doubles, a 6 x (2 vectors)
 * tile (6 x 16 with AVX-512), packing through {@link GemmPackedDouble}. F64 serves gradient checks
 * and tests, so its packing is the simple generic one.
 */
final class GemmF64 extends GemmBlocked.Kernel {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  static final int MR = 6, NR = 2 * L;
  private static final boolean FMA = GemmSimd.FMA;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  static final GemmF64 INSTANCE = new GemmF64();

  private GemmF64() {
    super(MR, NR);
  }

  @Override
  GemmBlocked.Workspace newWorkspace() {
    return new Workspace();
  }

  private static DoubleVector madd(DoubleVector a, DoubleVector b, DoubleVector c) {
    return FMA ? a.fma(b, c) : a.mul(b).add(c);
  }

  private static final class Workspace extends GemmPackedDouble {
    Workspace() {
      super(MR, NR);
    }

    @Override
    void compute(GemmProblem p, int sliver, int kc, long outIndex, int rows, int cols, boolean accumulate) {
      double[] a = aPack, b = bPack;
      DoubleVector z = DoubleVector.zero(S);
      DoubleVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
      for (int q = 0, ao = 0, bo = sliver * kc * NR; q < kc; q++, ao += MR, bo += NR) {
        DoubleVector b0 = DoubleVector.fromArray(S, b, bo), b1 = DoubleVector.fromArray(S, b, bo + L);
        DoubleVector x = DoubleVector.broadcast(S, a[ao]);
        c00 = madd(x, b0, c00);
        c01 = madd(x, b1, c01);
        x = DoubleVector.broadcast(S, a[ao + 1]);
        c10 = madd(x, b0, c10);
        c11 = madd(x, b1, c11);
        x = DoubleVector.broadcast(S, a[ao + 2]);
        c20 = madd(x, b0, c20);
        c21 = madd(x, b1, c21);
        x = DoubleVector.broadcast(S, a[ao + 3]);
        c30 = madd(x, b0, c30);
        c31 = madd(x, b1, c31);
        x = DoubleVector.broadcast(S, a[ao + 4]);
        c40 = madd(x, b0, c40);
        c41 = madd(x, b1, c41);
        x = DoubleVector.broadcast(S, a[ao + 5]);
        c50 = madd(x, b0, c50);
        c51 = madd(x, b1, c51);
      }
      DoubleVector[] acc = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
      if (rows == MR && cols == NR && p.oN == 1) {
        MemorySegment o = p.out;
        for (int r = 0; r < MR; r++)
          for (int h = 0; h < 2; h++) {
            long at = (outIndex + r * p.oM + h * L) * Double.BYTES;
            DoubleVector v = acc[2 * r + h];
            (accumulate ? v.add(DoubleVector.fromMemorySegment(S, o, at, NATIVE)) : v).intoMemorySegment(o, at, NATIVE);
          }
        return;
      }
      for (int i = 0; i < acc.length; i++) acc[i].intoArray(tile, i * L);
      storeTile(p, outIndex, rows, cols, accumulate);
    }
  }
}

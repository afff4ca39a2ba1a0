package dev.rmr1.tensor.cpu;

/**
 * The scalar fallback of the blocked GEMM, used when the Vector API cannot run fast (see
 * {@link GemmSimd}): the same blocking and packing, a 4 x 4 tile of double accumulators that the
 * JIT keeps in registers. Computes every dtype in double.
 */
final class GemmScalar extends GemmBlocked.Kernel {
  static final int MR = 4, NR = 4;
  static final GemmScalar INSTANCE = new GemmScalar();

  private GemmScalar() {
    super(MR, NR);
  }

  @Override
  GemmBlocked.Workspace newWorkspace() {
    return new Workspace();
  }

  private static final class Workspace extends GemmPackedDouble {
    Workspace() {
      super(MR, NR);
    }

    @Override
    void compute(GemmProblem p, int sliver, int kc, long outIndex, int rows, int cols, boolean accumulate) {
      double[] a = aPack, b = bPack;
      double c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      double c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (int q = 0, ao = 0, bo = sliver * kc * NR; q < kc; q++, ao += MR, bo += NR) {
        double a0 = a[ao], a1 = a[ao + 1], a2 = a[ao + 2], a3 = a[ao + 3];
        double b0 = b[bo], b1 = b[bo + 1], b2 = b[bo + 2], b3 = b[bo + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      double[] t = tile;
      t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
      t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
      t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
      t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
      storeTile(p, outIndex, rows, cols, accumulate);
    }
  }
}

package dev.rmr1.tensor.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Packing into double buffers, for the F64 vector kernel and for the scalar fallback (which
 * computes every dtype in double). Reads through {@link Elements#get}, so any operand dtype and
 * any strides work; these paths favour simplicity over the last few percent.
 */
abstract class GemmPackedDouble extends GemmBlocked.Workspace {
  final int mr, nr;
  /** Slivers of kc x nr, sliver s at s * kc * nr, row p of it at + p * nr. */
  final double[] bPack;
  /** mr x kc, element (r, p) at p * mr + r. */
  final double[] aPack;
  /** An edge or strided tile, row-major mr x nr. */
  final double[] tile;

  GemmPackedDouble(int mr, int nr) {
    this.mr = mr;
    this.nr = nr;
    bPack = new double[GemmBlocked.KC * GemmBlocked.roundUp(GemmBlocked.NC, nr)];
    aPack = new double[GemmBlocked.KC * mr];
    tile = new double[mr * nr];
  }

  @Override
  final void packA(GemmProblem p, long base, int i0, int rows, int k0, int kc) {
    for (int r = 0; r < mr; r++) {
      long src = base + (i0 + r) * p.aM + k0 * p.aK;
      for (int q = 0; q < kc; q++) aPack[q * mr + r] = r < rows ? Elements.get(p.a, p.aType, src + q * p.aK) : 0;
    }
  }

  @Override
  final void packB(GemmProblem p, long base, int k0, int kc, int j0, int cols) {
    int slivers = GemmBlocked.ceilDiv(cols, nr);
    for (int s = 0; s < slivers; s++)
      for (int c = 0; c < nr; c++) {
        int j = s * nr + c;
        long col = base + k0 * p.bK + (j0 + j) * p.bN;
        int d = s * kc * nr + c;
        for (int q = 0; q < kc; q++) bPack[d + q * nr] = j < cols ? Elements.get(p.b, p.bType, col + q * p.bK) : 0;
      }
  }

  /** out[rows, cols] (+)= tile, through out's strides and dtype (F32 outputs round once, here). */
  final void storeTile(GemmProblem p, long outIndex, int rows, int cols, boolean accumulate) {
    MemorySegment o = p.out;
    for (int r = 0; r < rows; r++)
      for (int c = 0; c < cols; c++) {
        long at = outIndex + r * p.oM + c * p.oN;
        double v = tile[r * nr + c];
        Elements.set(o, p.outType, at, accumulate ? Elements.get(o, p.outType, at) + v : v);
      }
  }
}

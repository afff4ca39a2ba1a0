package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;

/**
 * CPU matrix multiplication ({@link dev.rmr1.tensor.Backend#matmul}): picks the kernel.
 *
 * <ul>
 *   <li>F32 with F32/BF16/F16 weights, few rows and W^T-layout weights: {@link Gemv}, memory bound.
 *   <li>F32 (B F32, BF16 or F16): the blocked Vector API GEMM {@link GemmF32}.
 *   <li>F64: {@link GemmF64}.
 *   <li>Without a usable Vector API ({@link GemmSimd}): the scalar blocked {@link GemmScalar}.
 *   <li>Any other dtype combination: {@link Reference#matmul}.
 * </ul>
 */
final class Gemm {
  private Gemm() {}

  static void matmul(Tensor out, Tensor a, Tensor b) {
    DType t = out.dtype();
    boolean weights = b.dtype() == t || (t == DType.F32 && (b.dtype() == DType.BF16 || b.dtype() == DType.F16));
    if ((t != DType.F32 && t != DType.F64) || a.dtype() != t || !weights) {
      Reference.matmul(out, a, b);
      return;
    }
    GemmProblem p = new GemmProblem(out, a, b);
    if (p.m == 0 || p.n == 0 || p.batches == 0) return;
    if (p.k == 0) {
      Reference.fill(out, 0);
      return;
    }
    GemmSimd.warnOnce();
    if (!GemmSimd.VECTOR) GemmBlocked.run(p, GemmScalar.INSTANCE);
    else if (Gemv.applies(p)) Gemv.run(p);
    else GemmBlocked.run(p, t == DType.F32 ? GemmF32.INSTANCE : GemmF64.INSTANCE);
  }
}

package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Run in a separate JVM by {@link GemmCapabilityTest} under degraded settings (no Vector API module,
 * C1 only, AVX2 without FMA). Names no Vector API type and touches tensors only through their
 * storage, so it runs wherever the backend's GEMM must. Prints the capability decision and "OK" when
 * GEMM, GEMV and F64 products (each run twice) match a plain double loop.
 */
public final class GemmFallbackMain {
  public static void main(String[] args) {
    Random rnd = new Random(7);
    boolean ok = true;
    // (M, N, K, weight dtype, weights as W^T): a GEMM, a GEMV (M = 1, W^T), an F64 GEMM.
    Object[][] cases = {{37, 45, 29, DType.BF16, true}, {1, 70, 50, DType.BF16, true}, {13, 21, 40, DType.F64, false}};
    for (Object[] c : cases) {
      int m = (int) c[0], n = (int) c[1], k = (int) c[2];
      DType bt = (DType) c[3];
      DType at = bt == DType.F64 ? DType.F64 : DType.F32;
      boolean transposed = (boolean) c[4];
      Tensor a = random(rnd, at, m, k);
      Tensor stored = transposed ? random(rnd, bt, n, k) : random(rnd, bt, k, n);
      Tensor b = transposed ? stored.transpose(0, 1) : stored;
      Tensor out = Tensor.empty(at, m, n);
      for (int rep = 0; rep < 2; rep++) {
        CpuBackend.instance().matmul(out, a, b);
        ok &= matches(out, a, b, at == DType.F64 ? 1e-12 : 2e-5);
      }
    }
    System.out.println("VECTOR=" + GemmSimd.VECTOR + " BITS=" + GemmSimd.VECTOR_BITS + " FMA=" + GemmSimd.FMA);
    System.out.println(ok ? "OK" : "MISMATCH");
  }

  private static Tensor random(Random rnd, DType dt, int rows, int cols) {
    Tensor t = Tensor.empty(dt, rows, cols);
    MemorySegment s = Elements.segment(t);
    for (long i = 0; i < (long) rows * cols; i++) Elements.set(s, dt, i, 2 * rnd.nextDouble() - 1);
    return t;
  }

  private static boolean matches(Tensor out, Tensor a, Tensor b, double tol) {
    MemorySegment so = Elements.segment(out), sa = Elements.segment(a), sb = Elements.segment(b);
    for (int i = 0; i < out.size(0); i++)
      for (int j = 0; j < out.size(1); j++) {
        double want = 0, bound = 0;
        for (int q = 0; q < a.size(1); q++) {
          double x = Elements.get(sa, a.dtype(), a.offset() + i * a.stride(0) + q * a.stride(1));
          double y = Elements.get(sb, b.dtype(), b.offset() + q * b.stride(0) + j * b.stride(1));
          want += x * y;
          bound += Math.abs(x * y);
        }
        double got = Elements.get(so, out.dtype(), i * out.stride(0) + j * out.stride(1));
        if (!(Math.abs(got - want) <= tol * bound)) {
          System.out.println("(" + i + ", " + j + "): got " + got + ", want " + want);
          return false;
        }
      }
    return true;
  }
}

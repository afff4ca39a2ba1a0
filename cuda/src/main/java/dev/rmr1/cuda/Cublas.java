package dev.rmr1.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuBLAS through java.lang.foreign ({@code libcublas.so.13} or {@code .so.12}, whichever exists).
 * JCublas cannot be used: its natives link {@code libcublas.so.12}, absent on CUDA 13 machines.
 * Only what the backend needs: a handle and {@code cublasGemmStridedBatchedEx}, on the default stream.
 */
final class Cublas {
  // cudaDataType_t
  static final int R_32F = 0, R_64F = 1, R_16F = 2, R_16BF = 14;
  // cublasComputeType_t
  static final int COMPUTE_32F = 68, COMPUTE_32F_FAST_TF32 = 77, COMPUTE_64F = 70;
  // cublasOperation_t
  static final int OP_N = 0, OP_T = 1;
  private static final int GEMM_DEFAULT = -1;

  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  private static final java.lang.foreign.AddressLayout ADDR = ValueLayout.ADDRESS;

  final String library;
  private final MemorySegment handle;
  private final MethodHandle gemm;
  /** alpha = 1 and beta = 0 in host memory (cuBLAS's default pointer mode), as float and as double. */
  private final MemorySegment oneF, zeroF, oneD, zeroD;

  private Cublas(String library, SymbolLookup lib) throws Throwable {
    this.library = library;
    Linker linker = Linker.nativeLinker();
    MethodHandle create = linker.downcallHandle(lib.find("cublasCreate_v2").orElseThrow(), FunctionDescriptor.of(INT, ADDR));
    gemm = linker.downcallHandle(lib.find("cublasGemmStridedBatchedEx").orElseThrow(),
        FunctionDescriptor.of(INT, ADDR, INT, INT, INT, INT, INT, ADDR, ADDR, INT, INT, LONG, ADDR, INT, INT, LONG, ADDR, ADDR, INT, INT, LONG, INT, INT, INT));
    MemorySegment h = Arena.global().allocate(ADDR);
    int rc = (int) create.invokeExact(h);
    if (rc != 0) throw new IllegalStateException("cublasCreate failed with status " + rc);
    handle = h.get(ADDR, 0);
    oneF = Arena.global().allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
    zeroF = Arena.global().allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    oneD = Arena.global().allocateFrom(ValueLayout.JAVA_DOUBLE, 1.0);
    zeroD = Arena.global().allocateFrom(ValueLayout.JAVA_DOUBLE, 0.0);
  }

  /** Creates a handle on the current context; the error lists every library tried. */
  static Cublas load() {
    StringBuilder why = new StringBuilder();
    for (String name : List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so")) {
      try {
        return new Cublas(name, SymbolLookup.libraryLookup(name, Arena.global()));
      } catch (Throwable t) {
        why.append(name).append(": ").append(t.getMessage()).append("; ");
      }
    }
    throw new IllegalStateException("cuBLAS not found: " + why);
  }

  /**
   * Column-major C (m x n) = op(A) op(B), batched with element strides; alpha = 1, beta = 0.
   * Pointers are device addresses. Synchronized: a cuBLAS handle must not be used by two threads at once.
   */
  synchronized void gemmStridedBatched(int opA, int opB, int m, int n, int k, long a, int aType, int lda, long strideA, long b, int bType, int ldb,
      long strideB, long c, int cType, int ldc, long strideC, int batch, int computeType) {
    boolean f64 = computeType == COMPUTE_64F;
    // Typed locals, not conditionals in the call: invokeExact's signature is taken from the argument
    // expressions' static types, and javac types a conditional argument there as Object.
    MemorySegment alpha = f64 ? oneD : oneF, beta = f64 ? zeroD : zeroF;
    try {
      int rc = (int) gemm.invokeExact(handle, opA, opB, m, n, k, alpha, MemorySegment.ofAddress(a), aType, lda, strideA,
          MemorySegment.ofAddress(b), bType, ldb, strideB, beta, MemorySegment.ofAddress(c), cType, ldc, strideC, batch, computeType,
          GEMM_DEFAULT);
      if (rc != 0)
        throw new IllegalStateException("cublasGemmStridedBatchedEx failed with status " + rc + " (m=" + m + " n=" + n + " k=" + k
            + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc + " batch=" + batch + " types " + aType + "/" + bType + "/" + cType + " compute " + computeType + ")");
    } catch (RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("cuBLAS call failed", t);
    }
  }
}

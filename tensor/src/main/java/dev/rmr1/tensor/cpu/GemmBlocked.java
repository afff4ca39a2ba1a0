package dev.rmr1.tensor.cpu;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cache-blocked GEMM driver (Goto and van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 2008), shared by every element type; {@link Workspace} supplies the
 * packing and the register-tile micro-kernel.
 *
 * <p>The output is cut into tasks (batch, row chunk, column chunk of at most {@link #NC} columns)
 * that the threads of {@link Parallel} take from a shared counter, so a core slowed by other work
 * simply takes fewer tasks. In a task, for each depth block of at most {@link #KC}:
 *
 * <pre>
 *   pack B[k-block, columns] into NR-wide slivers          (KC x NC, stays in L2)
 *   for each MR rows: pack A[rows, k-block] as an MR x KC sliver (stays in L1)
 *     for each NR sliver of B: micro-kernel MR x NR (accumulators in registers), add into out
 * </pre>
 *
 * Packing reads the operands through their strides, so transposed and broadcast views cost the same
 * as dense ones, and it converts BF16/F16 weights to the compute type once per block. Packed buffers
 * belong to the thread ({@link Kernel#local}) and are reused by every call.
 */
final class GemmBlocked {
  /** Depth of a packed block: a B sliver is KC x NR (32 KiB for F32 at NR = 32). */
  static final int KC = 256;
  /** Columns of a packed B block: KC x NC floats = 512 KiB, about half of a Zen 4 / Skylake-X L2. */
  static final int NC = 512;
  /** Products below this many multiply-adds run on the calling thread: a fork costs ~10-50 us. */
  static final long SERIAL_FMAS = 1L << 18;
  /** Tasks per worker to aim for, so that dynamic scheduling can even out a noisy core. */
  private static final int TASKS_PER_WORKER = 4;

  private GemmBlocked() {}

  /** A register-tile kernel family: tile shape and a per-thread workspace. */
  abstract static class Kernel {
    final int mr, nr;
    final ThreadLocal<Workspace> local = ThreadLocal.withInitial(this::newWorkspace);

    Kernel(int mr, int nr) {
      this.mr = mr;
      this.nr = nr;
    }

    abstract Workspace newWorkspace();
  }

  /** Packed buffers of one thread and the operations on them. */
  abstract static class Workspace {
    /** Packs b[k0 .. k0+kc, j0 .. j0+cols] of the batch at {@code base} into NR-wide slivers (zero-padded). */
    abstract void packB(GemmProblem p, long base, int k0, int kc, int j0, int cols);

    /** Packs a[i0 .. i0+rows, k0 .. k0+kc] of the batch at {@code base} as an MR x kc sliver (zero-padded). */
    abstract void packA(GemmProblem p, long base, int i0, int rows, int k0, int kc);

    /**
     * out[rows, cols] at storage index {@code outIndex} (+)= packed A sliver @ packed B sliver
     * {@code sliver}; {@code accumulate} is false for the first depth block.
     */
    abstract void compute(GemmProblem p, int sliver, int kc, long outIndex, int rows, int cols, boolean accumulate);
  }

  static void run(GemmProblem p, Kernel kernel) {
    int mr = kernel.mr, nr = kernel.nr;
    int kBlocks = ceilDiv(p.k, KC);
    int kc = ceilDiv(p.k, kBlocks); // equal blocks rather than a thin last one
    int workers = p.fmas() < SERIAL_FMAS ? 1 : Parallel.threads();
    int want = workers == 1 ? 1 : TASKS_PER_WORKER * workers;
    // Column chunks first (each packs B once and A once); then rows, then narrower columns.
    int colW = Math.min(NC, roundUp(p.n, nr));
    int rowH = p.m;
    long tasks = (long) p.batches * ceilDiv(p.n, colW);
    if (tasks < want) {
      int split = (int) ceilDiv(want, tasks);
      rowH = Math.max(4 * mr, roundUp(ceilDiv(p.m, split), mr));
      tasks *= ceilDiv(p.m, rowH);
      if (tasks < want) {
        int colSplit = (int) ceilDiv(want, (long) p.batches * ceilDiv(p.m, rowH));
        colW = Math.max(nr, roundUp(ceilDiv(p.n, colSplit), nr));
      }
    }
    int colChunks = ceilDiv(p.n, colW), rowChunks = ceilDiv(p.m, rowH);
    int total = Math.toIntExact((long) p.batches * rowChunks * colChunks);
    int width = colW, height = rowH, depth = kc;
    AtomicInteger next = new AtomicInteger();
    Parallel.forRange(Math.min(workers, total), 1, (lo, hi) -> {
      Workspace ws = kernel.local.get();
      for (int t; (t = next.getAndIncrement()) < total; ) {
        int cc = t % colChunks, rest = t / colChunks, rc = rest % rowChunks, batch = rest / rowChunks;
        int i0 = rc * height, j0 = cc * width;
        task(p, kernel, ws, batch, i0, Math.min(p.m, i0 + height), j0, Math.min(p.n, j0 + width), depth);
      }
    });
  }

  private static void task(GemmProblem p, Kernel kernel, Workspace ws, int batch, int i0, int i1, int j0, int j1, int kc) {
    int mr = kernel.mr, nr = kernel.nr;
    long aBase = p.aOff[batch], bBase = p.bOff[batch], oBase = p.oOff[batch];
    for (int k0 = 0; k0 < p.k; k0 += kc) {
      int kcur = Math.min(kc, p.k - k0);
      ws.packB(p, bBase, k0, kcur, j0, j1 - j0);
      for (int i = i0; i < i1; i += mr) {
        int rows = Math.min(mr, i1 - i);
        ws.packA(p, aBase, i, rows, k0, kcur);
        for (int j = j0, s = 0; j < j1; j += nr, s++)
          ws.compute(p, s, kcur, oBase + i * p.oM + j * p.oN, rows, Math.min(nr, j1 - j), k0 > 0);
      }
    }
  }

  static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  static int roundUp(int a, int b) {
    return ceilDiv(a, b) * b;
  }
}

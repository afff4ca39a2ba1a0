package dev.rmr1.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The CPU backend's dedicated thread pool (not the common pool, so user code cannot starve the
 * kernels). Size: {@code -Drmr1.threads=N}, else the number of available processors; changeable at
 * run time with {@link #setThreads}.
 */
public final class Parallel {
  private static volatile ForkJoinPool pool = newPool(Integer.getInteger("rmr1.threads", Runtime.getRuntime().availableProcessors()));

  private Parallel() {}

  private static ForkJoinPool newPool(int threads) {
    if (threads < 1) throw new IllegalArgumentException("thread count must be positive: " + threads);
    return new ForkJoinPool(threads, p -> {
      var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
      t.setName("rmr1-cpu-" + t.getPoolIndex());
      t.setDaemon(true);
      return t;
    }, null, false);
  }

  public static int threads() {
    return pool.getParallelism();
  }

  public static synchronized void setThreads(int threads) {
    if (threads == pool.getParallelism()) return;
    ForkJoinPool old = pool;
    pool = newPool(threads);
    old.shutdown();
  }

  /**
   * Runs body(i) for i in [0, n), split into at most {@code threads()} contiguous chunks (each at
   * least {@code grain} items). Runs inline when there is one chunk or when already on a worker.
   */
  public static void forRange(int n, int grain, RangeBody body) {
    if (n <= 0) return;
    int chunks = Math.min(threads(), Math.max(1, n / Math.max(1, grain)));
    if (chunks <= 1 || ForkJoinTask.inForkJoinPool()) {
      body.run(0, n);
      return;
    }
    ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks];
    for (int c = 0; c < chunks; c++) {
      int lo = (int) ((long) n * c / chunks), hi = (int) ((long) n * (c + 1) / chunks);
      tasks[c] = new RecursiveAction() {
        @Override
        protected void compute() {
          body.run(lo, hi);
        }
      };
    }
    ForkJoinPool p = pool;
    for (int c = 1; c < chunks; c++) p.execute(tasks[c]);
    // The caller works on the first chunk itself rather than sitting idle.
    body.run((int) 0, (int) ((long) n / chunks));
    for (int c = 1; c < chunks; c++) tasks[c].join();
  }

  /** Runs body(i) for every i in [0, n) in parallel. */
  public static void forEach(int n, IntConsumer body) {
    forRange(n, 1, (lo, hi) -> {
      for (int i = lo; i < hi; i++) body.accept(i);
    });
  }

  @FunctionalInterface
  public interface RangeBody {
    void run(int lo, int hi);
  }
}

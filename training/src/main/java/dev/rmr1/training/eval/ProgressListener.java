package dev.rmr1.training.eval;

/** Told after each judged batch (and once at the start, counting resumed judgements); drives a progress bar. */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (done, total) -> {};

  void onProgress(int done, int total);
}

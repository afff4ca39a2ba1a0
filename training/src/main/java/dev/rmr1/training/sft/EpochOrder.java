package dev.rmr1.training.sft;

import dev.rmr1.tensor.Rng;

/**
 * The data order of an epoch: a Fisher-Yates permutation seeded by (seed, epoch), so that a resumed run finds the same
 * order from the two numbers alone. Used by the SFT and GRPO data streams.
 */
public final class EpochOrder {
  private EpochOrder() {}

  /** A permutation of {@code 0 .. n-1}. */
  public static int[] permutation(int n, long seed, int epoch) {
    if (n < 0) throw new IllegalArgumentException("negative row count " + n);
    if (epoch < 0) throw new IllegalArgumentException("negative epoch " + epoch);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Rng rng = new Rng(seed * 1_000_003L + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}

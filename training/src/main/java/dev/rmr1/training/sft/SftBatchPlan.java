package dev.rmr1.training.sft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The order in which SFT samples are seen: per epoch a seeded shuffle (OpenRLHF shuffles its sampler with the run's
 * seed, 42 in RM-R1's scripts), cut into optimizer steps of {@code batchSize} sequences (RM-R1: 128); the last step
 * of an epoch may be smaller, so an epoch has {@code ceil(rows / batchSize)} steps as in spec 5's schedule. Within a
 * step the sequences are sorted by length (longest first, ties by position) and cut into micro-batches of
 * {@code microBatchSize}: length bucketing, which keeps padding small and leaves the step's set of sequences as the
 * shuffle chose it (with micro-batch 1, RM-R1's setting, it changes nothing).
 *
 * <p>Everything is a function of (seed, epoch, step), which is all a checkpoint needs to resume the data stream.
 */
public final class SftBatchPlan {
  private final int[] lengths;
  private final int batchSize;
  private final int microBatchSize;
  private final long seed;

  /**
   * @param lengths the token count of each sample of the dataset
   */
  public SftBatchPlan(int[] lengths, int batchSize, int microBatchSize, long seed) {
    if (lengths.length == 0) throw new IllegalArgumentException("SFT batch plan: the dataset is empty");
    if (batchSize < 1 || microBatchSize < 1 || microBatchSize > batchSize)
      throw new IllegalArgumentException("SFT batch plan: need 1 <= micro-batch size (" + microBatchSize + ") <= batch size (" + batchSize + ")");
    this.lengths = lengths.clone();
    this.batchSize = batchSize;
    this.microBatchSize = microBatchSize;
    this.seed = seed;
  }

  /** Optimizer steps per epoch: {@code ceil(rows / batchSize)}. */
  public int stepsPerEpoch() {
    return Math.ceilDiv(lengths.length, batchSize);
  }

  /** The sample order of {@code epoch}. */
  public int[] order(int epoch) {
    return EpochOrder.permutation(lengths.length, seed, epoch);
  }

  /** The micro-batches (sample indices) of step {@code step} of {@code epoch}. */
  public List<int[]> step(int epoch, int step) {
    if (step < 0 || step >= stepsPerEpoch())
      throw new IndexOutOfBoundsException("step " + step + " of an epoch of " + stepsPerEpoch() + " steps");
    int[] order = order(epoch);
    int from = step * batchSize;
    Integer[] members = new Integer[Math.min(batchSize, order.length - from)];
    for (int i = 0; i < members.length; i++) members[i] = order[from + i];
    Arrays.sort(members, Comparator.comparingInt((Integer i) -> -lengths[i]).thenComparingInt(i -> i));
    List<int[]> micro = new ArrayList<>();
    for (int i = 0; i < members.length; i += microBatchSize) {
      int[] mb = new int[Math.min(microBatchSize, members.length - i)];
      for (int k = 0; k < mb.length; k++) mb[k] = members[i + k];
      micro.add(mb);
    }
    return micro;
  }
}

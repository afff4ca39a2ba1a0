package dev.rmr1.training.sft;

import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import java.util.List;

/**
 * Samples of one forward pass, right-padded to a common length T. Right padding needs no attention mask under causal
 * attention: real tokens never see the padding after them, and padding positions carry label -100.
 *
 * @param samples the sample indices into the dataset, for logs and tests
 * @param ids (B, T) token ids, padding filled with {@code padId}
 * @param targets (B, T-1) the shifted labels: {@code targets[b][t] = labels[b][t + 1]}, -100 where ignored
 * @param lossTokens the number of targets different from -100
 * @param tokens the number of real (non-padding) tokens
 */
public record SftMicroBatch(int[] samples, int[][] ids, int[][] targets, long lossTokens, long tokens) {
  /** Pads and shifts {@code batch} (at least one sample, each with at least 2 tokens). */
  public static SftMicroBatch of(int[] indices, List<SftSample> batch, int padId) {
    if (batch.isEmpty()) throw new IllegalArgumentException("an empty micro-batch");
    int t = 0;
    for (SftSample s : batch) t = Math.max(t, s.length());
    if (t < 2) throw new IllegalArgumentException("a micro-batch of one-token samples has nothing to predict");
    int[][] ids = new int[batch.size()][t];
    int[][] targets = new int[batch.size()][t - 1];
    long loss = 0, tokens = 0;
    for (int b = 0; b < batch.size(); b++) {
      SftSample s = batch.get(b);
      int[] labels = s.labels();
      java.util.Arrays.fill(ids[b], padId);
      java.util.Arrays.fill(targets[b], SftSample.IGNORE);
      for (int i = 0; i < s.length(); i++) ids[b][i] = s.id(i);
      for (int i = 1; i < s.length(); i++) targets[b][i - 1] = labels[i];
      loss += s.lossTokens();
      tokens += s.length();
    }
    return new SftMicroBatch(indices.clone(), ids, targets, loss, tokens);
  }

  public int batchSize() {
    return ids.length;
  }

  public int length() {
    return ids[0].length;
  }

  /** (B, T) I64 input ids. */
  public Tensor idsTensor(Device device) {
    return longs(device, ids, length());
  }

  /** (B, T-1) I64 shifted labels. */
  public Tensor targetsTensor(Device device) {
    return longs(device, targets, length() - 1);
  }

  /**
   * The loss positions as flat indices {@code b * T + t} into the (B, T) batch, in row-major order: the positions whose
   * shifted label is not -100 (K = {@link #lossTokens()} of them).
   */
  public long[] lossPositions() {
    long[] out = new long[Math.toIntExact(lossTokens)];
    int k = 0, t = length();
    for (int b = 0; b < targets.length; b++)
      for (int i = 0; i < t - 1; i++) if (targets[b][i] != SftSample.IGNORE) out[k++] = (long) b * t + i;
    return out;
  }

  /** The labels at {@link #lossPositions()}, in the same order. */
  public long[] lossTargets() {
    long[] out = new long[Math.toIntExact(lossTokens)];
    int k = 0;
    for (int[] row : targets)
      for (int y : row) if (y != SftSample.IGNORE) out[k++] = y;
    return out;
  }

  private static Tensor longs(Device device, int[][] rows, int width) {
    long[] flat = new long[rows.length * width];
    for (int b = 0; b < rows.length; b++)
      for (int i = 0; i < width; i++) flat[b * width + i] = rows[b][i];
    return IdTensors.of(device, flat, rows.length, width);
  }
}

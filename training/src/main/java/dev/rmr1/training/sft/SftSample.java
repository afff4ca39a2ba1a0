package dev.rmr1.training.sft;

import java.util.Arrays;

/**
 * One tokenized SFT sample (spec 5 steps 4-6): the token ids, of which the first {@code maskedLength} get label -100
 * (the prompt as RM-R1 trained, or prompt + assistant header with {@code maskAssistantHeader}), and whether the text
 * was cut at {@code max_len}. The last id is always eos.
 */
public record SftSample(int[] ids, int maskedLength, boolean truncated) {
  /** The label that the loss ignores (PyTorch's {@code ignore_index}). */
  public static final int IGNORE = -100;

  public SftSample {
    if (ids.length == 0) throw new IllegalArgumentException("an SFT sample needs at least one token");
    if (maskedLength < 0 || maskedLength > ids.length)
      throw new IllegalArgumentException("masked length " + maskedLength + " outside [0, " + ids.length + "]");
    ids = ids.clone();
  }

  public int length() {
    return ids.length;
  }

  /**
   * Tokens the loss is computed on: label positions except position 0, which no logit predicts after the shift
   * (labels[1:] against logits[:-1]).
   */
  public int lossTokens() {
    return ids.length - Math.max(1, maskedLength);
  }

  /** Labels of OpenRLHF's SFT trainer: the ids, with -100 on the first {@code maskedLength} positions. */
  public int[] labels() {
    int[] l = ids.clone();
    Arrays.fill(l, 0, maskedLength, IGNORE);
    return l;
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }

  /** The id at position {@code i} (without copying the array). */
  public int id(int i) {
    return ids[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SftSample s && maskedLength == s.maskedLength && truncated == s.truncated && Arrays.equals(ids, s.ids);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + maskedLength;
  }

  @Override
  public String toString() {
    return "SftSample[" + ids.length + " tokens, masked " + maskedLength + (truncated ? ", truncated" : "") + "]";
  }
}

package dev.rmr1.nn;

import dev.rmr1.autograd.Grad;
import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keys and values of past positions for incremental decoding, per layer (B, Hkv, capacity, D),
 * with a length per batch row so that rows may hold sequences of different lengths.
 *
 * <p>A step writes the new tokens of row b at positions lengths[b] .. lengths[b] + T - 1 in every
 * layer; the caller then {@link #advance}s the lengths once. A batch of prompts of different lengths
 * can be prefilled right-padded to a common T (a causal query never sees the padding that follows
 * it) and the true lengths set with {@link #setLengths}: the next step overwrites the padding.
 * The cache serves inference only (no gradient flows into it) and lives outside every
 * {@link TensorScope} until closed.
 */
public final class KvCache implements AutoCloseable {
  private final Tensor[] keys, values;
  private final int[] lengths;
  private final int capacity;

  public KvCache(int layers, int batch, int kvHeads, int headDim, int capacity, DType dtype, Device device) {
    keys = new Tensor[layers];
    values = new Tensor[layers];
    for (int l = 0; l < layers; l++) {
      keys[l] = TensorScope.escape(Tensor.zeros(device, dtype, batch, kvHeads, capacity, headDim));
      values[l] = TensorScope.escape(Tensor.zeros(device, dtype, batch, kvHeads, capacity, headDim));
    }
    lengths = new int[batch];
    this.capacity = capacity;
  }

  public int capacity() {
    return capacity;
  }

  public int batch() {
    return lengths.length;
  }

  /** Positions filled per row (the position of each row's next token). */
  public int[] lengths() {
    return lengths.clone();
  }

  /** Adds {@code tokens} to every row's length (after all layers processed a step). */
  public void advance(int tokens) {
    int[] next = lengths.clone();
    for (int b = 0; b < next.length; b++) next[b] += tokens;
    setLengths(next);
  }

  /** Sets each row's length (after a right-padded prefill, the true prompt lengths). */
  public void setLengths(int... newLengths) {
    if (newLengths.length != lengths.length)
      throw new IllegalArgumentException("KV cache has " + lengths.length + " rows, got " + newLengths.length + " lengths");
    for (int l : newLengths)
      if (l < 0 || l > capacity) throw new IllegalArgumentException("KV cache length " + l + " outside [0, " + capacity + "]");
    System.arraycopy(newLengths, 0, lengths, 0, lengths.length);
  }

  /**
   * Stores this step's k and v (B, Hkv, T, D) of {@code layer} at each row's length and attends q
   * (B, Hq, T, D) to every cached position up to its own (causal).
   */
  Var attend(int layer, Var q, Var k, Var v, double scale) {
    if (Grad.isEnabled() && (q.requiresGrad() || k.requiresGrad() || v.requiresGrad()))
      throw new IllegalStateException("the KV cache is for inference: run the forward under Grad.disabled()");
    int t = k.size(2);
    if (k.size(0) != lengths.length) throw new IllegalArgumentException("KV cache has " + lengths.length + " rows, step has " + k.size(0));
    for (int b = 0; b < lengths.length; b++) {
      if (lengths[b] + t > capacity)
        throw new IllegalStateException("KV cache overflow: row " + b + " holds " + lengths[b] + " positions, capacity " + capacity + ", step adds " + t);
      store(keys[layer], k.data(), b, lengths[b], t);
      store(values[layer], v.data(), b, lengths[b], t);
    }
    boolean uniform = Arrays.stream(lengths).allMatch(l -> l == lengths[0]);
    if (uniform) return attendRows(layer, q, 0, lengths.length, lengths[0] + t, scale);
    List<Var> rows = new ArrayList<>(lengths.length);
    for (int b = 0; b < lengths.length; b++) rows.add(attendRows(layer, q.narrow(0, b, 1), b, 1, lengths[b] + t, scale));
    return Var.cat(0, rows);
  }

  private Var attendRows(int layer, Var q, int row, int rows, int keysSeen, double scale) {
    try (Tensor kr = keys[layer].narrow(0, row, rows); Tensor vr = values[layer].narrow(0, row, rows);
        Tensor ks = kr.narrow(2, 0, keysSeen); Tensor vs = vr.narrow(2, 0, keysSeen)) {
      return Var.attention(q, Var.constant(ks), Var.constant(vs), scale, true, keysSeen - q.size(2));
    }
  }

  private static void store(Tensor cache, Tensor step, int row, int at, int t) {
    try (Tensor dstRow = cache.narrow(0, row, 1); Tensor dst = dstRow.narrow(2, at, t); Tensor src = step.narrow(0, row, 1)) {
      dst.copyFrom(src);
    }
  }

  @Override
  public void close() {
    for (Tensor t : keys) t.close();
    for (Tensor t : values) t.close();
  }
}

package dev.rmr1.nn;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;

/**
 * The keys and values of one sequence's past positions in every layer, for incremental decoding
 * ({@link CachedAttention}). Each layer holds (1, Hkv, capacity, D) tensors of which the first
 * {@link #length()} positions are filled; capacity grows by doubling (copying what is filled) up to
 * {@link #maxLength()} (a model's {@code max_position_embeddings}), so a sequence costs memory in proportion to its
 * length. One cache per sequence lets a batch hold sequences of any lengths and drop finished
 * ones; {@link #fork} copies a prefilled prompt for several samples of it.
 *
 * <p>The tensors live outside every {@link TensorScope} until {@link #close()}.
 */
public final class SequenceCache implements AutoCloseable {
  private static final int MIN_CAPACITY = 64;

  private final int kvHeads, headDim, maxLength;
  private final DType dtype;
  private final Device device;
  private final Tensor[] keys, values;
  private int length, capacity;
  private boolean closed;

  public SequenceCache(int layers, int kvHeads, int headDim, int maxLength, DType dtype, Device device) {
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    this.maxLength = maxLength;
    this.dtype = dtype;
    this.device = device;
    keys = new Tensor[layers];
    values = new Tensor[layers];
  }

  /** Positions filled: the position of this sequence's next token. */
  public int length() {
    return length;
  }

  /** Positions the tensors can hold now. */
  public int capacity() {
    return capacity;
  }

  /** The longest sequence this cache accepts (the model's {@code max_position_embeddings}). */
  public int maxLength() {
    return maxLength;
  }

  /** Bytes held by the key and value tensors. */
  public long bytes() {
    return 2L * keys.length * kvHeads * capacity * headDim * dtype.byteSize();
  }

  /** Makes room for {@code newLength} positions, growing (by doubling) and copying the filled part. */
  public void reserve(int newLength) {
    checkOpen();
    if (newLength > maxLength)
      throw new IllegalArgumentException("sequence of " + newLength + " positions exceeds the cache's maximum length (max_position_embeddings) " + maxLength);
    if (newLength <= capacity) return;
    int grown = Math.max(newLength, Math.max(MIN_CAPACITY, capacity * 2));
    int next = Math.min(maxLength, grown);
    for (int l = 0; l < keys.length; l++) {
      keys[l] = grown(keys[l], next);
      values[l] = grown(values[l], next);
    }
    capacity = next;
  }

  private Tensor grown(Tensor old, int newCapacity) {
    Tensor t = TensorScope.escape(Tensor.empty(device, dtype, 1, kvHeads, newCapacity, headDim));
    if (old != null) {
      if (length > 0) {
        try (Tensor dst = t.narrow(2, 0, length); Tensor src = old.narrow(2, 0, length)) {
          dst.copyFrom(src);
        }
      }
      old.close();
    }
    return t;
  }

  /** Writes this step's k and v (1, Hkv, n, D) of {@code layer} at positions length .. length+n-1 (reserved). */
  void write(int layer, Tensor k, Tensor v) {
    int n = k.size(2);
    try (Tensor dk = keys[layer].narrow(2, length, n); Tensor dv = values[layer].narrow(2, length, n)) {
      dk.copyFrom(k);
      dv.copyFrom(v);
    }
  }

  /** The first {@code n} positions of {@code layer}'s keys, (1, Hkv, n, D), a view. */
  Tensor keys(int layer, int n) {
    return keys[layer].narrow(2, 0, n);
  }

  Tensor values(int layer, int n) {
    return values[layer].narrow(2, 0, n);
  }

  /** {@code layer}'s whole key tensor (1, Hkv, capacity, D), for kernels that append and attend at once. */
  Tensor keyStorage(int layer) {
    return keys[layer];
  }

  Tensor valueStorage(int layer) {
    return values[layer];
  }

  /** Marks {@code n} more positions filled (after every layer wrote them). */
  public void advance(int n) {
    if (length + n > capacity) throw new IllegalStateException("advance past the reserved capacity " + capacity);
    length += n;
  }

  /** An independent copy holding the same positions (several samples continuing one prompt). */
  public SequenceCache fork() {
    checkOpen();
    SequenceCache c = new SequenceCache(keys.length, kvHeads, headDim, maxLength, dtype, device);
    c.reserve(Math.max(1, length));
    for (int l = 0; l < keys.length && length > 0; l++) {
      try (Tensor k = keys(l, length); Tensor v = values(l, length)) {
        c.write(l, k, v);
      }
    }
    c.length = length;
    return c;
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("use of a closed SequenceCache");
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    for (Tensor t : keys) if (t != null) t.close();
    for (Tensor t : values) if (t != null) t.close();
  }
}

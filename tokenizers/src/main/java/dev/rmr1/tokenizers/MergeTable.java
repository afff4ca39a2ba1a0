package dev.rmr1.tokenizers;

/**
 * BPE merges keyed by the pair of token ids: (left, right) -> (rank, merged id), an open-addressing table
 * over packed long keys so that the merge loop never builds strings. As in HF ({@code MergeMap} collected
 * from the merges list), a pair listed twice keeps its last rank.
 */
final class MergeTable {
  private static final long EMPTY = -1L;
  private long[] keys;
  private long[] values; // rank << 32 | merged id
  private int mask;
  private int size;

  MergeTable(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[cap];
    values = new long[cap];
    java.util.Arrays.fill(keys, EMPTY);
    mask = cap - 1;
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  private int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & mask;
  }

  void put(int left, int right, int rank, int merged) {
    if (size * 2 >= keys.length) grow();
    long k = key(left, right);
    int i = slot(k);
    while (keys[i] != EMPTY && keys[i] != k) i = (i + 1) & mask;
    if (keys[i] == EMPTY) size++;
    keys[i] = k;
    values[i] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
  }

  /** {@code rank << 32 | merged id}, or -1 when the pair is not a merge. */
  long get(int left, int right) {
    long k = key(left, right);
    int i = slot(k);
    long[] ks = keys;
    while (true) {
      long x = ks[i];
      if (x == k) return values[i];
      if (x == EMPTY) return -1L;
      i = (i + 1) & mask;
    }
  }

  int size() {
    return size;
  }

  private void grow() {
    long[] ok = keys, ov = values;
    keys = new long[ok.length * 2];
    values = new long[ok.length * 2];
    java.util.Arrays.fill(keys, EMPTY);
    mask = keys.length - 1;
    size = 0;
    for (int i = 0; i < ok.length; i++) {
      if (ok[i] != EMPTY) put((int) (ok[i] >>> 32), (int) ok[i], (int) (ov[i] >>> 32), (int) ov[i]);
    }
  }
}

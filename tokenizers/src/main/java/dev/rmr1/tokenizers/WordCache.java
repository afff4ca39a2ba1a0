package dev.rmr1.tokenizers;

/**
 * Per-thread cache of pre-token -> token ids (HF BPE keeps a similar 10,000-word cache). Looked up by a
 * range of the input text so that a hit allocates nothing; when full it is cleared.
 */
final class WordCache {
  /** Words of this many chars or more are not cached (as in HF, MAX_LENGTH = 256). */
  static final int MAX_WORD = 256;

  private final String[] keys;
  private final int[][] values;
  private final int[] hashes;
  private final int mask;
  private final int limit;
  private int size;

  WordCache(int capacityPow2) {
    keys = new String[capacityPow2];
    values = new int[capacityPow2][];
    hashes = new int[capacityPow2];
    mask = capacityPow2 - 1;
    limit = capacityPow2 / 2;
  }

  static int hash(CharSequence s, int start, int end) {
    int h = 0;
    for (int i = start; i < end; i++) h = 31 * h + s.charAt(i);
    return h ^ (h >>> 15) ^ (h << 7);
  }

  int[] get(String s, int start, int end, int hash) {
    int len = end - start;
    int i = hash & mask;
    while (true) {
      String k = keys[i];
      if (k == null) return null;
      if (hashes[i] == hash && k.length() == len && k.regionMatches(0, s, start, len)) return values[i];
      i = (i + 1) & mask;
    }
  }

  void put(String key, int hash, int[] ids) {
    if (size >= limit) {
      java.util.Arrays.fill(keys, null);
      java.util.Arrays.fill(values, null);
      size = 0;
    }
    int i = hash & mask;
    while (keys[i] != null) {
      if (hashes[i] == hash && keys[i].equals(key)) return;
      i = (i + 1) & mask;
    }
    keys[i] = key;
    values[i] = ids;
    hashes[i] = hash;
    size++;
  }
}

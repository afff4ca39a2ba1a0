package dev.rmr1.tokenizers;

import java.util.Arrays;

/**
 * BPE merges keyed by the pair of token ids: (left, right) -> rank, with the merged id by rank. One long per
 * slot holds both ids (21 bits each) and the rank (21 bits), so a lookup touches one cache line of a 2 MB
 * table for Qwen's 151,387 merges; the merge loop never builds strings. As in HF ({@code MergeMap}
 * collected from the merges list), a pair listed twice keeps its last rank.
 */
final class MergeTable {
  static final int BITS = 21;
  static final int LIMIT = 1 << BITS;
  private static final long EMPTY = -1L;
  private static final long RANK_MASK = LIMIT - 1;

  private final long[] table;
  private final int shift;
  private final int mask;
  private final int[] mergedByRank;

  MergeTable(int merges) {
    int cap = Integer.highestOneBit(Math.max(16, merges + merges / 2 + 1)) << 1;
    table = new long[cap];
    Arrays.fill(table, EMPTY);
    mask = cap - 1;
    shift = 64 - Integer.numberOfTrailingZeros(cap);
    mergedByRank = new int[merges];
  }

  private int slot(long key) {
    return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
  }

  void put(int left, int right, int rank, int merged) {
    if (left >= LIMIT || right >= LIMIT || rank >= LIMIT) {
      throw new IllegalArgumentException("ids and merge ranks must be below " + LIMIT + " (got " + left + ", " + right + ", rank " + rank + ")");
    }
    long key = ((long) left << BITS) | right;
    int i = slot(key);
    while (table[i] != EMPTY && (table[i] >>> BITS) != key) i = (i + 1) & mask;
    table[i] = (key << BITS) | rank;
    mergedByRank[rank] = merged;
  }

  /** The rank of merging (left, right), or -1 when the pair is not a merge. */
  int rank(int left, int right) {
    if ((left | right) >= LIMIT || (left | right) < 0) return -1;
    long key = ((long) left << BITS) | right;
    long[] t = table;
    int i = slot(key);
    while (true) {
      long e = t[i];
      if (e == EMPTY) return -1;
      if ((e >>> BITS) == key) return (int) (e & RANK_MASK);
      i = (i + 1) & mask;
    }
  }

  /** The id the merge of this rank produces. */
  int merged(int rank) {
    return mergedByRank[rank];
  }
}

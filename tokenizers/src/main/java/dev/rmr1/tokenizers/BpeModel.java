package dev.rmr1.tokenizers;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The BPE model of a Hugging Face tokenizer.json ({@code "model": {"type": "BPE", ...}}), following
 * tokenizers/src/models/bpe/model.rs: each char of a pre-token becomes its vocabulary id (with
 * {@code continuing_subword_prefix} on non-first chars and {@code end_of_word_suffix} on the last,
 * {@code byte_fallback} to {@code <0xXX>} tokens, else {@code unk_token}, fused when {@code fuse_unk}), then
 * the pair of lowest merge rank is merged, leftmost first, until no pair is a merge.
 */
public final class BpeModel {
  /** Above this many symbols the merge loop uses a tournament tree instead of rescanning (O(n log n) vs O(n^2)). */
  static final int SCAN_LIMIT = 24;

  private final Map<String, Integer> vocab;
  private final String[] idToToken;
  private final MergeTable merges;
  private final String unkToken;
  private final boolean fuseUnk;
  private final boolean byteFallback;
  private final boolean ignoreMerges;
  private final String prefix; // continuing_subword_prefix, null when absent or empty
  private final String suffix; // end_of_word_suffix, null when absent or empty
  /** Id of the byte-level char of each byte, when all 256 are in the vocabulary; else null. */
  private final int[] byteLevelIds;
  /**
   * Merge rank of each pair of byte-level tokens (a << 8 | b), Integer.MAX_VALUE for none: the first pass
   * over a word's bytes reads this 256 KB table instead of the merge table.
   */
  private final int[] bytePairRanks;

  /**
   * @param vocab token -> id
   * @param merges merge pairs in rank order
   */
  public BpeModel(Map<String, Integer> vocab, List<String[]> merges, String unkToken, boolean fuseUnk,
      boolean byteFallback, boolean ignoreMerges, String continuingSubwordPrefix, String endOfWordSuffix) {
    this.vocab = vocab;
    int maxId = -1;
    for (int id : vocab.values()) maxId = Math.max(maxId, id);
    idToToken = new String[maxId + 1];
    for (Map.Entry<String, Integer> e : vocab.entrySet()) idToToken[e.getValue()] = e.getKey();
    this.unkToken = unkToken;
    this.fuseUnk = fuseUnk;
    this.byteFallback = byteFallback;
    this.ignoreMerges = ignoreMerges;
    this.prefix = continuingSubwordPrefix == null || continuingSubwordPrefix.isEmpty() ? null : continuingSubwordPrefix;
    this.suffix = endOfWordSuffix == null || endOfWordSuffix.isEmpty() ? null : endOfWordSuffix;
    this.merges = new MergeTable(merges.size());
    int prefixLen = prefix == null ? 0 : prefix.length();
    // Resolve the 151k merges' ids on all cores (read-only map lookups), then fill the table in rank order.
    int n = merges.size();
    int[] left = new int[n], right = new int[n], merged = new int[n];
    String[] problem = new String[n];
    java.util.stream.IntStream.range(0, n).parallel().forEach(rank -> {
      String a = merges.get(rank)[0], b = merges.get(rank)[1];
      Integer ia = vocab.get(a), ib = vocab.get(b);
      String m = a + b.substring(Math.min(prefixLen, b.length()));
      Integer im = vocab.get(m);
      if (ia == null || ib == null || im == null) {
        String missing = ia == null ? "'" + a + "' is" : ib == null ? "'" + b + "' is" : "the merged token '" + m + "' is";
        problem[rank] = "merge " + rank + " ('" + a + "' '" + b + "'): " + missing + " not in the vocabulary";
        return;
      }
      left[rank] = ia;
      right[rank] = ib;
      merged[rank] = im;
    });
    for (int rank = 0; rank < n; rank++) {
      if (problem[rank] != null) throw new IllegalArgumentException(problem[rank]);
      this.merges.put(left[rank], right[rank], rank, merged[rank]);
    }
    int[] ids = new int[256];
    boolean all = prefix == null && suffix == null;
    for (int b = 0; b < 256 && all; b++) {
      Integer id = vocab.get(String.valueOf(ByteLevel.BYTE_TO_CHAR[b]));
      if (id == null) all = false;
      else ids[b] = id;
    }
    byteLevelIds = all ? ids : null;
    bytePairRanks = all ? new int[1 << 16] : null;
    for (int a = 0; all && a < 256; a++) for (int b = 0; b < 256; b++) bytePairRanks[a << 8 | b] = rank(ids[a], ids[b]);
  }

  /**
   * The model section of tokenizer.json; {@code vocab} and {@code merges} as read by
   * {@link TokenizerJsonReader} (absent from {@code m}).
   */
  static BpeModel parse(JsonNodeAt m, Map<String, Integer> vocab, List<String[]> merges) {
    JsonNodeAt dropout = m.opt("dropout");
    if (dropout != null && dropout.json().asDouble() > 0) throw m.error("BPE dropout " + dropout.json() + " is not supported (encoding would be random)");
    if (vocab == null) throw m.error("missing field 'vocab'");
    try {
      return new BpeModel(vocab, merges == null ? List.of() : merges, m.textOr("unk_token", null), m.boolOr("fuse_unk", false),
          m.boolOr("byte_fallback", false), m.boolOr("ignore_merges", false),
          m.textOr("continuing_subword_prefix", null), m.textOr("end_of_word_suffix", null));
    } catch (IllegalArgumentException e) {
      throw m.error(e.getMessage());
    }
  }

  /** Highest id + 1 of the model vocabulary (added tokens not included). */
  public int vocabSize() {
    return idToToken.length;
  }

  /** The token of {@code id}, or null. */
  public String idToToken(int id) {
    return id >= 0 && id < idToToken.length ? idToToken[id] : null;
  }

  /** The id of {@code token}, or null. */
  public Integer tokenToId(String token) {
    return vocab.get(token);
  }

  Map<String, Integer> vocab() {
    return vocab;
  }

  /** True when byte-level words can be tokenized straight from their UTF-8 bytes ({@link #tokenizeBytes}). */
  boolean byteLevelReady() {
    return byteLevelIds != null;
  }

  /** Tokenizes one pre-token (already in the model's alphabet, e.g. byte-level chars). */
  public int[] tokenize(String word) {
    if (word.isEmpty()) return new int[0];
    if (ignoreMerges) {
      Integer id = vocab.get(word);
      if (id != null) return new int[] {id};
    }
    IntList syms = new IntList(word.length() + 2);
    int pendingUnk = -1;
    int n = word.length();
    for (int i = 0; i < n; ) {
      int j = i + Character.charCount(word.codePointAt(i));
      String s = word.substring(i, j);
      if (i > 0 && prefix != null) s = prefix + s;
      if (j == n && suffix != null) s = s + suffix;
      Integer id = vocab.get(s);
      if (id != null) {
        if (pendingUnk >= 0) {
          syms.add(pendingUnk);
          pendingUnk = -1;
        }
        syms.add(id);
      } else if (!(byteFallback && addByteFallback(s, syms)) && unkToken != null) {
        int unk = unkId();
        if (pendingUnk >= 0 && !fuseUnk) syms.add(pendingUnk);
        pendingUnk = unk;
      }
      i = j;
    }
    if (pendingUnk >= 0) syms.add(pendingUnk);
    int[] a = syms.toArray();
    return java.util.Arrays.copyOf(a, merge(a, a.length));
  }

  /** Tokenizes a byte-level pre-token given as UTF-8 bytes; requires {@link #byteLevelReady()}. */
  int[] tokenizeBytes(byte[] utf8, int len) {
    if (ignoreMerges) {
      char[] cs = new char[len];
      for (int i = 0; i < len; i++) cs[i] = ByteLevel.BYTE_TO_CHAR[utf8[i] & 0xFF];
      Integer id = vocab.get(new String(cs));
      if (id != null) return new int[] {id};
    }
    int[] s = new int[len];
    for (int i = 0; i < len; i++) s[i] = byteLevelIds[utf8[i] & 0xFF];
    int[] r = new int[Math.max(0, len - 1)];
    for (int i = 0; i + 1 < len; i++) r[i] = bytePairRanks[(utf8[i] & 0xFF) << 8 | (utf8[i + 1] & 0xFF)];
    int n = len > SCAN_LIMIT ? tree(s, len, r) : scan(s, len, r);
    return n == len ? s : java.util.Arrays.copyOf(s, n);
  }

  private int unkId() {
    Integer id = vocab.get(unkToken);
    if (id == null) throw new IllegalStateException("unk_token '" + unkToken + "' is not in the vocabulary");
    return id;
  }

  /** Adds the {@code <0xXX>} tokens of the UTF-8 bytes of {@code s}; false (nothing added) when one is missing. */
  private boolean addByteFallback(String s, IntList syms) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int[] ids = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      Integer id = vocab.get(String.format("<0x%02X>", b[i] & 0xFF));
      if (id == null) return false;
      ids[i] = id;
    }
    for (int id : ids) syms.add(id);
    return true;
  }

  /** Merges {@code s[0, n)} in place; returns the new length. */
  int merge(int[] s, int n) {
    return n > SCAN_LIMIT ? mergeWithTree(s, n) : mergeByScan(s, n);
  }

  /** Rescans the cached pair ranks for the minimum at each step; fastest for short words. */
  int mergeByScan(int[] s, int n) {
    if (n < 2) return n;
    int[] r = new int[n - 1];
    for (int i = 0; i < n - 1; i++) r[i] = rank(s[i], s[i + 1]);
    return scan(s, n, r);
  }

  /** The scan loop; {@code r[i]} holds the rank of pair (i, i+1), Integer.MAX_VALUE when it is no merge. */
  private int scan(int[] s, int n, int[] r) {
    while (n > 1) {
      int best = Integer.MAX_VALUE;
      int bi = -1;
      for (int i = 0; i < n - 1; i++) {
        if (r[i] < best) { // strict: the leftmost of equal ranks wins
          best = r[i];
          bi = i;
        }
      }
      if (bi < 0) break;
      s[bi] = merges.merged(best);
      System.arraycopy(s, bi + 2, s, bi + 1, n - bi - 2);
      if (bi + 2 < n - 1) System.arraycopy(r, bi + 2, r, bi + 1, n - bi - 3);
      n--;
      if (bi < n - 1) r[bi] = rank(s[bi], s[bi + 1]);
      if (bi > 0) r[bi - 1] = rank(s[bi - 1], s[bi]);
    }
    return n;
  }

  private int rank(int a, int b) {
    int r = merges.rank(a, b);
    return r < 0 ? Integer.MAX_VALUE : r;
  }

  /**
   * For long words: the same order as HF's heap (bpe/word.rs merge_all: lowest rank, then leftmost), with
   * a tournament tree over the pairs' (rank, position) so that each merge costs O(log n) and no stale entries
   * pile up. Symbols form a linked list over their original positions.
   */
  int mergeWithTree(int[] s, int n) {
    if (n < 2) return n;
    int[] r = new int[n - 1];
    for (int i = 0; i < n - 1; i++) r[i] = rank(s[i], s[i + 1]);
    return tree(s, n, r);
  }

  /** The tree loop; {@code r[i]} holds the rank of pair (i, i+1), Integer.MAX_VALUE when it is no merge. */
  private int tree(int[] s, int n, int[] r) {
    if (n < 2) return n;
    int size = Integer.highestOneBit(n - 1) << 1;
    long[] tree = new long[2 * size];
    java.util.Arrays.fill(tree, Long.MAX_VALUE);
    int[] prev = new int[n], next = new int[n];
    for (int i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1;
      if (i + 1 < n && r[i] != Integer.MAX_VALUE) tree[size + i] = (long) r[i] << 32 | i;
    }
    for (int i = size - 1; i >= 1; i--) tree[i] = Math.min(tree[2 * i], tree[2 * i + 1]);
    boolean[] dead = new boolean[n];
    while (tree[1] != Long.MAX_VALUE) {
      long top = tree[1];
      int pos = (int) top, right = next[pos];
      s[pos] = merges.merged((int) (top >>> 32));
      dead[right] = true;
      update(tree, size, right, Long.MAX_VALUE);
      next[pos] = next[right];
      if (next[pos] < n) prev[next[pos]] = pos;
      update(tree, size, pos, next[pos] < n ? leaf(s[pos], s[next[pos]], pos) : Long.MAX_VALUE);
      if (prev[pos] >= 0) update(tree, size, prev[pos], leaf(s[prev[pos]], s[pos], prev[pos]));
    }
    int m = 0;
    for (int i = 0; i < n; i++) if (!dead[i]) s[m++] = s[i];
    return m;
  }

  private long leaf(int a, int b, int pos) {
    int r = merges.rank(a, b);
    return r < 0 ? Long.MAX_VALUE : (long) r << 32 | pos;
  }

  private static void update(long[] tree, int size, int pos, long value) {
    int i = size + pos;
    tree[i] = value;
    for (i >>>= 1; i >= 1; i >>>= 1) {
      long m = Math.min(tree[2 * i], tree[2 * i + 1]);
      if (tree[i] == m) break;
      tree[i] = m;
    }
  }
}

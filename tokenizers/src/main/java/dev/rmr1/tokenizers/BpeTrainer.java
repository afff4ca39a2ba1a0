package dev.rmr1.tokenizers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Trains a byte-level BPE tokenizer from text and writes it as a tokenizer.json laid out like Qwen's (NFC,
 * Split regex + ByteLevel pre-tokenizer, BPE over the 256 byte-level chars, special tokens as added tokens
 * after the model vocabulary, ByteLevel decoder), which Hugging Face tokenizers and {@link Tokenizer} load.
 *
 * <p>The algorithm is HF's BpeTrainer: count pre-tokens, then repeatedly merge the most frequent adjacent
 * pair (ties: the pair whose token strings sort first), updating pair counts only in the words that hold
 * the merged pair, with a lazily refreshed max-heap.
 */
public final class BpeTrainer {
  private final int vocabSize;
  private final List<String> specialTokens;
  private String pattern = FastSplitPatterns.QWEN;
  private int minFrequency = 2;

  /**
   * @param vocabSize total ids wanted: 256 byte tokens + merges + special tokens
   * @param specialTokens added as special tokens after the model vocabulary, in this order
   */
  public BpeTrainer(int vocabSize, List<String> specialTokens) {
    if (vocabSize < 256 + specialTokens.size()) {
      throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the 256 byte tokens + " + specialTokens.size() + " special tokens");
    }
    this.vocabSize = vocabSize;
    this.specialTokens = List.copyOf(specialTokens);
  }

  /** The pre-tokenizer regex (Oniguruma syntax, as in tokenizer.json); Qwen's by default. */
  public BpeTrainer pattern(String regex) {
    this.pattern = regex;
    return this;
  }

  /** Pairs seen fewer times than this are never merged (default 2). */
  public BpeTrainer minFrequency(int n) {
    this.minFrequency = n;
    return this;
  }

  public Tokenizer train(Iterable<String> texts) {
    return Tokenizer.fromJson(trainToJson(texts), "trained tokenizer.json");
  }

  public void train(Iterable<String> texts, Path tokenizerJson) {
    try {
      Files.writeString(tokenizerJson, trainToJson(texts));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + tokenizerJson, e);
    }
  }

  /** The tokenizer.json text. */
  public String trainToJson(Iterable<String> texts) {
    JsonNodeAt where = new JsonNodeAt(com.fasterxml.jackson.databind.node.TextNode.valueOf(pattern), "$.pre_tokenizer.pretokenizers[0].pattern.Regex", "trainer");
    SplitPattern split = SplitPattern.regex(pattern, where);
    AddedTokenMatcher specials = specialMatcher();
    Map<String, Integer> wordCounts = new HashMap<>();
    TextNormalizer nfc = new TextNormalizer.Unicode(java.text.Normalizer.Form.NFC);
    for (String text : texts) {
      String t = Utf8.sanitize(text);
      int[] segs = specials.split(t);
      for (int i = 0; i < segs.length; i += 3) {
        if (segs[i + 2] >= 0) continue;
        String norm = nfc.normalize(t.substring(segs[i], segs[i + 1]));
        split.forEachMatch(norm, 0, norm.length(), (a, b) -> wordCounts.merge(ByteLevel.encode(norm, a, b), 1, Integer::sum));
      }
    }
    // Base vocabulary: the 256 byte-level chars in byte order.
    List<String> tokens = new ArrayList<>();
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (int b = 0; b < 256; b++) {
      String c = String.valueOf(ByteLevel.BYTE_TO_CHAR[b]);
      ids.put(c, tokens.size());
      tokens.add(c);
    }
    List<int[]> words = new ArrayList<>(wordCounts.size());
    List<Integer> counts = new ArrayList<>(wordCounts.size());
    wordCounts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      String w = e.getKey();
      int[] s = new int[w.length()];
      for (int i = 0; i < s.length; i++) s[i] = ids.get(String.valueOf(w.charAt(i)));
      words.add(s);
      counts.add(e.getValue());
    });
    List<String[]> merges = learnMerges(words, counts, tokens, ids);
    return toJson(ids, merges);
  }

  private AddedTokenMatcher specialMatcher() {
    List<AddedToken> added = new ArrayList<>();
    for (int i = 0; i < specialTokens.size(); i++) added.add(new AddedToken(-1 - i, specialTokens.get(i), true, false, false, false, false));
    return new AddedTokenMatcher(added, specialTokens);
  }

  private static long key(int a, int b) {
    return ((long) a << 32) | (b & 0xFFFFFFFFL);
  }

  private List<String[]> learnMerges(List<int[]> words, List<Integer> counts, List<String> tokens, Map<String, Integer> ids) {
    Map<Long, Long> pairCounts = new HashMap<>();
    Map<Long, Set<Integer>> where = new HashMap<>();
    for (int w = 0; w < words.size(); w++) addPairs(words.get(w), counts.get(w), w, pairCounts, where, null);
    // Max-heap on (count, then smallest token strings); entries are refreshed lazily when popped.
    PriorityQueue<long[]> heap = new PriorityQueue<>((x, y) -> {
      if (x[0] != y[0]) return Long.compare(y[0], x[0]);
      int c = tokens.get((int) (x[1] >>> 32)).compareTo(tokens.get((int) (y[1] >>> 32)));
      return c != 0 ? c : tokens.get((int) x[1]).compareTo(tokens.get((int) y[1]));
    });
    pairCounts.forEach((k, c) -> heap.add(new long[] {c, k}));
    List<String[]> merges = new ArrayList<>();
    int target = vocabSize - specialTokens.size();
    while (ids.size() < target && !heap.isEmpty()) {
      long[] top = heap.poll();
      long current = pairCounts.getOrDefault(top[1], 0L);
      if (current != top[0]) {
        if (current > 0) heap.add(new long[] {current, top[1]});
        continue;
      }
      if (current < Math.max(1, minFrequency)) break;
      int a = (int) (top[1] >>> 32), b = (int) top[1];
      String merged = tokens.get(a) + tokens.get(b);
      Integer id = ids.get(merged);
      if (id == null) {
        id = tokens.size();
        ids.put(merged, id);
        tokens.add(merged);
      }
      merges.add(new String[] {tokens.get(a), tokens.get(b)});
      Set<Long> changed = new HashSet<>();
      for (int w : new ArrayList<>(where.getOrDefault(top[1], Set.of()))) {
        int[] s = words.get(w);
        int count = counts.get(w);
        removePairs(s, count, pairCounts, changed);
        int[] t = mergeWord(s, a, b, id);
        words.set(w, t);
        addPairs(t, count, w, pairCounts, where, changed);
      }
      where.remove(top[1]);
      for (long k : changed) {
        long c = pairCounts.getOrDefault(k, 0L);
        if (c > 0) heap.add(new long[] {c, k});
      }
    }
    return merges;
  }

  private static void addPairs(int[] s, int count, int w, Map<Long, Long> pairCounts, Map<Long, Set<Integer>> where, Set<Long> changed) {
    for (int i = 0; i + 1 < s.length; i++) {
      long k = key(s[i], s[i + 1]);
      pairCounts.merge(k, (long) count, Long::sum);
      where.computeIfAbsent(k, x -> new HashSet<>()).add(w);
      if (changed != null) changed.add(k);
    }
  }

  private static void removePairs(int[] s, int count, Map<Long, Long> pairCounts, Set<Long> changed) {
    for (int i = 0; i + 1 < s.length; i++) {
      long k = key(s[i], s[i + 1]);
      long c = pairCounts.merge(k, (long) -count, Long::sum);
      if (c <= 0) pairCounts.remove(k);
      changed.add(k);
    }
  }

  /** Left-to-right, non-overlapping replacement of (a, b) by {@code merged}. */
  private static int[] mergeWord(int[] s, int a, int b, int merged) {
    IntList out = new IntList(s.length);
    for (int i = 0; i < s.length; i++) {
      if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
        out.add(merged);
        i++;
      } else {
        out.add(s[i]);
      }
    }
    return out.toArray();
  }

  private String toJson(Map<String, Integer> vocab, List<String[]> merges) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < specialTokens.size(); i++) {
      ObjectNode t = added.addObject();
      t.put("id", vocab.size() + i);
      t.put("content", specialTokens.get(i));
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    root.putObject("normalizer").put("type", "NFC");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "Sequence");
    ArrayNode steps = pre.putArray("pretokenizers");
    ObjectNode split = steps.addObject();
    split.put("type", "Split");
    split.putObject("pattern").put("Regex", pattern);
    split.put("behavior", "Isolated");
    split.put("invert", false);
    byteLevel(steps.addObject());
    byteLevel(root.putObject("post_processor"));
    byteLevel(root.putObject("decoder"));
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.put("continuing_subword_prefix", "");
    model.put("end_of_word_suffix", "");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", false);
    ObjectNode v = model.putObject("vocab");
    vocab.forEach(v::put);
    ArrayNode ms = model.putArray("merges");
    for (String[] pair : merges) ms.addArray().add(pair[0]).add(pair[1]);
    try {
      return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void byteLevel(ObjectNode n) {
    n.put("type", "ByteLevel");
    n.put("add_prefix_space", false);
    n.put("trim_offsets", false);
    n.put("use_regex", false);
  }
}

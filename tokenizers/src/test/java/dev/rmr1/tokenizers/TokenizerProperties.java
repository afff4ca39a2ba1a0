package dev.rmr1.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Properties of the Qwen3 tokenizer on arbitrary Unicode text. */
class TokenizerProperties {

  /** Valid Unicode strings: any code point (no lone surrogates), with ASCII, spaces and CJK weighted up. */
  @Provide
  Arbitrary<String> unicode() {
    Arbitrary<Integer> any = Arbitraries.integers().between(0, 0x10FFFF).filter(c -> c < 0xD800 || c > 0xDFFF);
    Arbitrary<Integer> cp = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0x20, 0x7E)),
        net.jqwik.api.Tuple.of(2, Arbitraries.of(0x20, 0x0A, 0x09, 0x0D, 0x3000, 0xA0, 0x27)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x4E00, 0x9FFF)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x300, 0x36F)),
        net.jqwik.api.Tuple.of(3, any));
    return cp.list().ofMaxSize(60).map(l -> {
      StringBuilder sb = new StringBuilder();
      l.forEach(sb::appendCodePoint);
      return sb.toString();
    });
  }

  @Property(tries = 200)
  void decodeOfEncodeIsNfc(@ForAll("unicode") String s) {
    Tokenizer t = Refs.qwen();
    assertEquals(Normalizer.normalize(s, Normalizer.Form.NFC), t.decode(t.encode(s), false));
  }

  @Property(tries = 100)
  void addedTokensAreNeverSplit(@ForAll("unicode") String a, @ForAll("unicode") String b, @ForAll @IntRange(min = 0, max = 25) int which) {
    Tokenizer t = Refs.qwen();
    AddedToken tok = t.addedTokens().get(which);
    // '<' starts every Qwen added token; without it the random text cannot form one by accident.
    String left = a.replace("<", ""), right = b.replace("<", "");
    int[] ids = t.encode(left + tok.content() + right + tok.content());
    int count = 0;
    for (int id : ids) if (id == tok.id()) count++;
    assertEquals(2, count, "both occurrences become the single id " + tok.id());
    int[] leftIds = t.encode(left);
    int[] prefix = java.util.Arrays.copyOf(ids, leftIds.length + 1);
    int[] expected = java.util.Arrays.copyOf(leftIds, leftIds.length + 1);
    expected[leftIds.length] = tok.id();
    assertArrayEquals(expected, prefix, "the text before the token is encoded on its own");
  }

  @Property(tries = 60)
  void streamingDecodeNeverEmitsABrokenCharacter(@ForAll("unicode") String s) {
    Tokenizer t = Refs.qwen();
    int[] ids = t.encode(s);
    StreamDecoder d = t.streamDecoder(false);
    StringBuilder out = new StringBuilder();
    for (int id : ids) {
      String piece = d.step(id);
      if (piece == null) continue;
      assertFalse(piece.contains("\uFFFD") && !s.contains("\uFFFD"), "a piece holds a broken character: " + piece);
      out.append(piece);
    }
    out.append(d.flush());
    assertEquals(t.decode(ids, false), out.toString());
  }

  @Property(tries = 20)
  void batchEncodingEqualsOneByOne(@ForAll("texts") List<String> texts) {
    Tokenizer t = Refs.qwen();
    List<int[]> batch = t.encodeBatch(texts, false);
    for (int i = 0; i < texts.size(); i++) assertArrayEquals(t.encode(texts.get(i)), batch.get(i));
  }

  @Provide
  Arbitrary<List<String>> texts() {
    return unicode().list().ofMinSize(1).ofMaxSize(40);
  }

  /** Random BPE models: the fast merge loops equal the textbook one (lowest rank first, leftmost on ties). */
  @Property(tries = 300)
  void mergesAreAppliedInRankOrder(@ForAll("bpeCase") BpeCase c) {
    int[] scan = c.word.clone(), tree = c.word.clone();
    int ns = c.model.mergeByScan(scan, scan.length);
    int nt = c.model.mergeWithTree(tree, tree.length);
    int[] expected = c.reference();
    assertArrayEquals(expected, java.util.Arrays.copyOf(scan, ns));
    assertArrayEquals(expected, java.util.Arrays.copyOf(tree, nt));
  }

  record BpeCase(BpeModel model, List<String[]> merges, java.util.Map<String, Integer> vocab, int[] word) {
    /** Repeatedly merges the adjacent pair of lowest rank (leftmost of equals) by string comparison. */
    int[] reference() {
      List<String> syms = new ArrayList<>();
      String[] byId = new String[vocab.size()];
      vocab.forEach((k, v) -> byId[v] = k);
      for (int id : word) syms.add(byId[id]);
      while (true) {
        int best = Integer.MAX_VALUE, at = -1;
        for (int i = 0; i + 1 < syms.size(); i++) {
          for (int r = merges.size() - 1; r >= 0; r--) { // the last listing of a pair is its rank
            if (merges.get(r)[0].equals(syms.get(i)) && merges.get(r)[1].equals(syms.get(i + 1))) {
              if (r < best) {
                best = r;
                at = i;
              }
              break;
            }
          }
        }
        if (at < 0) break;
        syms.set(at, syms.get(at) + syms.remove(at + 1));
      }
      return syms.stream().mapToInt(vocab::get).toArray();
    }
  }

  @Provide
  Arbitrary<BpeCase> bpeCase() {
    Arbitrary<List<Integer>> mergeSeeds = Arbitraries.integers().between(0, 1_000_000).list().ofMinSize(1).ofMaxSize(40);
    Arbitrary<List<Integer>> word = Arbitraries.integers().between(0, 3).list().ofMinSize(1).ofMaxSize(BpeModel.SCAN_LIMIT * 2);
    return Combinators.combine(mergeSeeds, word).as((seeds, w) -> {
      java.util.Map<String, Integer> vocab = new java.util.LinkedHashMap<>();
      List<String> tokens = new ArrayList<>(List.of("a", "b", "c", "d"));
      for (String s : tokens) vocab.put(s, vocab.size());
      List<String[]> merges = new ArrayList<>();
      for (int seed : seeds) { // merge two existing tokens (possibly a pair listed before)
        String l = tokens.get(seed % tokens.size()), r = tokens.get((seed / 7) % tokens.size());
        merges.add(new String[] {l, r});
        if (!vocab.containsKey(l + r)) {
          vocab.put(l + r, vocab.size());
          tokens.add(l + r);
        }
      }
      int[] ids = w.stream().mapToInt(i -> i).toArray();
      return new BpeCase(new BpeModel(vocab, merges, null, false, false, false, null, null), merges, vocab, ids);
    });
  }
}

package dev.rmr1.tokenizers;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text as HF's AddedVocabulary does (tokenizers/src/tokenizer/added_vocabulary.rs
 * {@code find_matches}): leftmost-longest non-overlapping matches (its Aho-Corasick automaton's
 * MatchKind::LeftmostLongest), skipping single_word tokens inside words, and widening lstrip/rstrip tokens
 * over the neighbouring whitespace.
 */
final class AddedTokenMatcher {
  private final boolean[] firstChar = new boolean[65536];
  /** first char -> candidates, longest pattern first. */
  private final Map<Character, List<Candidate>> byFirst = new HashMap<>();
  private final boolean empty;

  private record Candidate(String pattern, AddedToken token) {}

  /** @param patterns the text to look for of each token (its content, normalized for normalized tokens) */
  AddedTokenMatcher(List<AddedToken> tokens, List<String> patterns) {
    for (int i = 0; i < tokens.size(); i++) {
      String p = patterns.get(i);
      if (p.isEmpty()) continue;
      firstChar[p.charAt(0)] = true;
      byFirst.computeIfAbsent(p.charAt(0), k -> new ArrayList<>()).add(new Candidate(p, tokens.get(i)));
    }
    for (List<Candidate> l : byFirst.values()) l.sort(Comparator.comparingInt((Candidate c) -> -c.pattern.length()));
    empty = byFirst.isEmpty();
  }

  boolean isEmpty() {
    return empty;
  }

  /**
   * Splits {@code s} into (start, end, id) triples tiling it; id is -1 for plain text. Empty text gives no
   * triple.
   */
  int[] split(String s) {
    IntList out = new IntList(8);
    int n = s.length();
    int startOffset = 0;
    for (int i = 0; i < n && !empty; i++) {
      char c = s.charAt(i);
      if (!firstChar[c] || i < startOffset) continue; // i < startOffset: inside whitespace an rstrip took
      Candidate hit = null;
      for (Candidate cand : byFirst.get(c)) {
        if (s.startsWith(cand.pattern, i)) {
          hit = cand;
          break;
        }
      }
      if (hit == null) continue;
      int start = i, stop = i + hit.pattern.length();
      i = stop - 1; // the automaton's next match starts after this one, even when this one is skipped
      AddedToken t = hit.token;
      if (t.singleWord()) {
        boolean startSpace = start == 0 || !UnicodeClasses.isWordChar(s.codePointBefore(start));
        boolean stopSpace = stop == n || !UnicodeClasses.isWordChar(s.codePointAt(stop));
        if (!startSpace || !stopSpace) continue;
      }
      if (t.lstrip()) {
        int ns = start;
        while (ns > 0 && UnicodeClasses.isWhiteSpace(s.codePointBefore(ns))) ns -= Character.charCount(s.codePointBefore(ns));
        start = Math.max(ns, startOffset);
      }
      if (t.rstrip()) {
        while (stop < n && UnicodeClasses.isWhiteSpace(s.codePointAt(stop))) stop += Character.charCount(s.codePointAt(stop));
      }
      if (startOffset < start) triple(out, startOffset, start, -1);
      triple(out, start, stop, t.id());
      startOffset = stop;
    }
    if (startOffset < n) triple(out, startOffset, n, -1);
    return out.toArray();
  }

  private static void triple(IntList out, int a, int b, int id) {
    out.add(a);
    out.add(b);
    out.add(id);
  }
}

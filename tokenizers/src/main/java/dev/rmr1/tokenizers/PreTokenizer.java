package dev.rmr1.tokenizers;

import java.util.ArrayList;
import java.util.List;

/**
 * A Hugging Face pre-tokenizer (tokenizers/src/pre_tokenizers): splits a normalized piece of text into
 * pre-tokens, which the model then tokenizes one by one. Pieces are ranges of a string so that splitting
 * allocates nothing.
 */
sealed interface PreTokenizer {

  /**
   * Splits {@code s[start, end)}. {@code atOrigin} tells whether this piece begins at offset 0 of the input
   * (Metaspace's prepend_scheme "first" depends on it).
   */
  void split(String s, int start, int end, boolean atOrigin, Sink sink);

  @FunctionalInterface
  interface Sink {
    void piece(String s, int start, int end, boolean atOrigin);
  }

  static PreTokenizer parse(JsonNodeAt n) {
    String type = n.type();
    return switch (type) {
      case "Sequence" -> {
        List<PreTokenizer> steps = new ArrayList<>();
        for (JsonNodeAt e : n.get("pretokenizers").elements()) steps.add(parse(e));
        yield new Sequence(steps);
      }
      case "Split" -> {
        JsonNodeAt p = n.get("pattern");
        SplitPattern pattern;
        if (p.opt("Regex") != null) pattern = SplitPattern.regex(p.text("Regex"), p.get("Regex"));
        else if (p.opt("String") != null) pattern = new SplitPattern.Literal(p.text("String"));
        else throw p.error("expected {\"Regex\": ...} or {\"String\": ...}");
        yield new Split(pattern, SplitBehavior.parse(n.get("behavior")), n.boolOr("invert", false));
      }
      case "ByteLevel" -> new ByteLevelSplit(n.boolOr("add_prefix_space", true), n.boolOr("use_regex", true), true);
      case "Digits" -> new Split(new SplitPattern.CharClass(UnicodeClasses::isNumber),
          n.boolOr("individual_digits", false) ? SplitBehavior.ISOLATED : SplitBehavior.CONTIGUOUS, false);
      case "Metaspace" -> {
        String rep = n.textOr("replacement", "\u2581");
        if (rep.codePointCount(0, rep.length()) != 1) throw n.get("replacement").error("expected a single character");
        String scheme = n.textOr("prepend_scheme", null);
        if (scheme == null) scheme = n.boolOr("add_prefix_space", true) ? "always" : "never";
        if (!List.of("always", "never", "first").contains(scheme)) throw n.get("prepend_scheme").error("expected always, never or first");
        yield new Metaspace(rep, scheme, n.boolOr("split", true));
      }
      // HF Whitespace: keeps the matches of \w+|[^\w\s]+ (Invert + Removed), compiled by Rust's regex crate,
      // whose \w is Alphabetic, marks, Nd, Pc and the joiners (not Oniguruma's).
      case "Whitespace" -> new Split(new SplitPattern.Regex(RUST_WHITESPACE), SplitBehavior.REMOVED, true);
      case "WhitespaceSplit" -> new Split(new SplitPattern.CharClass(UnicodeClasses::isWhiteSpace), SplitBehavior.REMOVED, false);
      case "Punctuation" -> new Split(new SplitPattern.CharClass(PreTokenizer::isPunctuation),
          n.opt("behavior") == null ? SplitBehavior.ISOLATED : SplitBehavior.parse(n.get("behavior")), false);
      case "BertPreTokenizer" -> new Sequence(List.of(
          new Split(new SplitPattern.CharClass(UnicodeClasses::isWhiteSpace), SplitBehavior.REMOVED, false),
          new Split(new SplitPattern.CharClass(PreTokenizer::isPunctuation), SplitBehavior.ISOLATED, false)));
      default -> throw n.unsupported("pre_tokenizer");
    };
  }

  java.util.regex.Pattern RUST_WHITESPACE = java.util.regex.Pattern.compile(
      "[\\p{IsAlphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{IsJoin_Control}]+|[^\\p{IsAlphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{IsJoin_Control}\\p{IsWhite_Space}]+");

  /** HF {@code is_punc}: ASCII punctuation or a Unicode P* char. */
  private static boolean isPunctuation(int c) {
    if (c < 0x80) return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
    int t = Character.getType(c);
    return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
        || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION
        || t == Character.FINAL_QUOTE_PUNCTUATION || t == Character.OTHER_PUNCTUATION;
  }

  record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
    @Override
    public void split(String s, int start, int end, boolean atOrigin, Sink sink) {
      run(0, s, start, end, atOrigin, sink);
    }

    private void run(int step, String s, int start, int end, boolean atOrigin, Sink sink) {
      if (step == steps.size()) {
        sink.piece(s, start, end, atOrigin);
        return;
      }
      steps.get(step).split(s, start, end, atOrigin, (t, a, b, o) -> run(step + 1, t, a, b, o, sink));
    }
  }

  /** HF Split: matches of the pattern (or, inverted, what lies between them) split by {@code behavior}. */
  record Split(SplitPattern pattern, SplitBehavior behavior, boolean invert) implements PreTokenizer {
    @Override
    public void split(String s, int start, int end, boolean atOrigin, Sink sink) {
      if (start == end) return;
      if (behavior == SplitBehavior.ISOLATED && !invert) {
        int[] prev = {start};
        pattern.forEachMatch(s, start, end, (ms, me) -> {
          if (prev[0] < ms) sink.piece(s, prev[0], ms, atOrigin && prev[0] == start);
          if (ms < me) sink.piece(s, ms, me, atOrigin && ms == start);
          prev[0] = me;
        });
        if (prev[0] < end) sink.piece(s, prev[0], end, atOrigin && prev[0] == start);
        return;
      }
      IntList spans = new IntList(16); // start, end, isMatch triples covering [start, end)
      int[] prev = {start};
      pattern.forEachMatch(s, start, end, (ms, me) -> {
        if (prev[0] < ms) addSpan(spans, prev[0], ms, invert);
        addSpan(spans, ms, me, !invert);
        prev[0] = me;
      });
      if (prev[0] < end) addSpan(spans, prev[0], end, invert);
      int[] a = spans.toArray();
      int[] pieces = behavior.apply(a);
      for (int i = 0; i < pieces.length; i += 2) {
        if (pieces[i] < pieces[i + 1]) sink.piece(s, pieces[i], pieces[i + 1], atOrigin && pieces[i] == start);
      }
    }

    private static void addSpan(IntList spans, int a, int b, boolean match) {
      spans.add(a);
      spans.add(b);
      spans.add(match ? 1 : 0);
    }
  }

  /**
   * HF ByteLevel: optional prefix space, optional GPT-2 regex split, then each pre-token's UTF-8 bytes as
   * byte-level chars. {@code mapBytes} is false when the tokenizer applies that last mapping itself, on
   * cache misses only (see {@link Tokenizer}).
   */
  record ByteLevelSplit(boolean addPrefixSpace, boolean useRegex, boolean mapBytes) implements PreTokenizer {
    private static final SplitPattern GPT2 = FastSplitPatterns.forRegex(FastSplitPatterns.GPT2);

    @Override
    public void split(String s, int start, int end, boolean atOrigin, Sink sink) {
      if (addPrefixSpace && (start == end || s.charAt(start) != ' ')) {
        s = " " + s.substring(start, end);
        start = 0;
        end = s.length();
      }
      Sink out = mapBytes ? (t, a, b, o) -> {
        String mapped = ByteLevel.encode(t, a, b);
        sink.piece(mapped, 0, mapped.length(), o);
      } : sink;
      if (useRegex) {
        String str = s;
        int st = start;
        GPT2.forEachMatch(str, start, end, (ms, me) -> out.piece(str, ms, me, atOrigin && ms == st));
      } else if (start < end) {
        out.piece(s, start, end, atOrigin);
      }
    }
  }

  /** HF Metaspace: spaces become {@code replacement}, which is prepended per the scheme and starts each piece. */
  record Metaspace(String replacement, String prependScheme, boolean splitOnReplacement) implements PreTokenizer {
    @Override
    public void split(String s, int start, int end, boolean atOrigin, Sink sink) {
      String t = s.substring(start, end).replace(" ", replacement);
      boolean prepend = switch (prependScheme) {
        case "always" -> true;
        case "first" -> atOrigin;
        default -> false;
      };
      if (prepend && !t.startsWith(replacement)) t = replacement + t;
      if (!splitOnReplacement) {
        if (!t.isEmpty()) sink.piece(t, 0, t.length(), atOrigin);
        return;
      }
      new Split(new SplitPattern.Literal(replacement), SplitBehavior.MERGED_WITH_NEXT, false).split(t, 0, t.length(), atOrigin, sink);
    }
  }
}

package dev.rmr1.tokenizers;

/**
 * What a Split does with the matched delimiters (HF {@code SplitDelimiterBehavior},
 * tokenizers/src/tokenizer/normalizer.rs {@code NormalizedString::split}).
 */
enum SplitBehavior {
  REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS;

  static SplitBehavior parse(JsonNodeAt n) {
    return switch (n.text()) {
      case "Removed" -> REMOVED;
      case "Isolated" -> ISOLATED;
      case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
      case "MergedWithNext" -> MERGED_WITH_NEXT;
      case "Contiguous" -> CONTIGUOUS;
      default -> throw n.error("unsupported split behavior '" + n.text() + "'");
    };
  }

  /**
   * @param spans (start, end, isMatch) triples tiling the text
   * @return (start, end) pairs of the resulting pieces, possibly empty ones
   */
  int[] apply(int[] spans) {
    int k = spans.length / 3;
    IntList out = new IntList(k * 2);
    switch (this) {
      case REMOVED -> {
        for (int i = 0; i < k; i++) if (spans[3 * i + 2] == 0) pair(out, spans[3 * i], spans[3 * i + 1]);
      }
      case ISOLATED -> {
        for (int i = 0; i < k; i++) pair(out, spans[3 * i], spans[3 * i + 1]);
      }
      case MERGED_WITH_PREVIOUS, CONTIGUOUS -> {
        // A match not preceded by a match joins the previous piece (Contiguous: any span equal in kind to the previous).
        int[] a = new int[k * 2];
        int n = 0;
        boolean prevMatch = false;
        for (int i = 0; i < k; i++) {
          boolean m = spans[3 * i + 2] == 1;
          boolean join = this == CONTIGUOUS ? m == prevMatch : m && !prevMatch;
          if (join && n > 0) a[2 * n - 1] = spans[3 * i + 1];
          else {
            a[2 * n] = spans[3 * i];
            a[2 * n + 1] = spans[3 * i + 1];
            n++;
          }
          prevMatch = m;
        }
        for (int i = 0; i < n; i++) pair(out, a[2 * i], a[2 * i + 1]);
      }
      case MERGED_WITH_NEXT -> {
        // Mirror image: walk backwards, a match not followed by a match joins the next piece.
        int[] a = new int[k * 2];
        int n = 0;
        boolean prevMatch = false;
        for (int i = k - 1; i >= 0; i--) {
          boolean m = spans[3 * i + 2] == 1;
          if (m && !prevMatch && n > 0) a[2 * n - 2] = spans[3 * i];
          else {
            a[2 * n] = spans[3 * i];
            a[2 * n + 1] = spans[3 * i + 1];
            n++;
          }
          prevMatch = m;
        }
        for (int i = n - 1; i >= 0; i--) pair(out, a[2 * i], a[2 * i + 1]);
      }
    }
    return out.toArray();
  }

  private static void pair(IntList out, int a, int b) {
    out.add(a);
    out.add(b);
  }
}

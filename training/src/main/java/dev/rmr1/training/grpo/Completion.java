package dev.rmr1.training.grpo;

import java.util.Arrays;

/**
 * One sampled response as GRPO sees it: the tokens up to and including the first eos (spec 6: the response mask is 1
 * there and 0 after), and whether an eos ended it; without one it ran into the length limit (clipped).
 */
public record Completion(int[] tokens, boolean terminated) {
  public Completion {
    tokens = tokens.clone();
  }

  /** Cuts {@code generated} after its first token that is one of {@code eosIds} (generation configs may list several). */
  public static Completion of(int[] generated, int... eosIds) {
    if (eosIds.length == 0) throw new IllegalArgumentException("no eos id");
    for (int i = 0; i < generated.length; i++)
      for (int e : eosIds)
        if (generated[i] == e) return new Completion(Arrays.copyOf(generated, i + 1), true);
    return new Completion(generated, false);
  }

  /** The number of response tokens under the mask. */
  public int length() {
    return tokens.length;
  }

  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  /** Token {@code i} (without copying). */
  public int token(int i) {
    return tokens[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Completion c && terminated == c.terminated && Arrays.equals(tokens, c.tokens);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(tokens) * 2 + (terminated ? 1 : 0);
  }

  @Override
  public String toString() {
    return "Completion[" + tokens.length + " tokens" + (terminated ? "" : ", clipped") + "]";
  }
}

package dev.rmr1.autograd;

import dev.rmr1.tensor.Rng;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Random shapes for the gradient properties. */
final class TestShapes {
  private TestShapes() {}

  /** Shapes of rank 0..3 with sizes in [min, 3]. */
  static Arbitrary<int[]> shapes(int minSize, int minRank) {
    return Arbitraries.integers().between(minSize, 3).array(int[].class).ofMinSize(minRank).ofMaxSize(3);
  }

  /** A shape that broadcasts to {@code s}: some leading dims dropped, some dims set to 1. */
  static int[] broadcastPartner(int[] s, Rng rng) {
    int drop = s.length == 0 ? 0 : rng.nextInt(s.length + 1);
    int[] t = Arrays.copyOfRange(s, drop, s.length);
    for (int i = 0; i < t.length; i++) if (rng.nextInt(3) == 0) t[i] = 1;
    return t;
  }
}

package dev.rmr1.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Hugging Face's top-k, top-p and min-p warpers, by their definitions (a stable sort of the probabilities, then each filter in turn). */
class TopFiltersTest {
  @Example
  void handExamples() {
    double[] p = {0.1, 0.4, 0.2, 0.3};
    // top-k 2: tokens 1 and 3
    assertArrayEquals(new double[] {0, 0.4, 0, 0.3}, filter(p, 2, 1, 0));
    // top-p 0.6: 0.4, then 0.7 >= 0.6
    assertArrayEquals(new double[] {0, 0.4, 0, 0.3}, filter(p, 0, 0.6, 0));
    // top-k 2 then top-p 0.5 relative to what top-k kept: 0.4 / 0.7 >= 0.5 keeps token 1 alone
    assertArrayEquals(new double[] {0, 0.4, 0, 0}, filter(p, 2, 0.5, 0));
    // min-p 0.5: at least 0.2
    assertArrayEquals(new double[] {0, 0.4, 0.2, 0.3}, filter(p, 0, 1, 0.5));
    // ties keep the lower index
    assertArrayEquals(new double[] {0.25, 0.25, 0, 0}, filter(new double[] {0.25, 0.25, 0.25, 0.25}, 2, 1, 0));
    // top-p keeps at least one token
    assertArrayEquals(new double[] {0, 0.4, 0, 0}, filter(p, 0, 1e-9, 0));
    assertFalse(TopFilters.filters(4, 1, 0, 4), "top-k of the whole vocabulary");
    assertTrue(TopFilters.filters(3, 1, 0, 4));
  }

  static double[] filter(double[] p, int topK, double topP, double minP) {
    return TopFilters.filterRows(p, 1, p.length, new int[] {topK}, new double[] {topP}, new double[] {minP});
  }

  @Property(tries = 500)
  void keepsWhatThePlainDefinitionKeeps(@ForAll @IntRange(min = 1, max = 60) int vocab, @ForAll long seed) {
    Random rnd = new Random(seed);
    double[] logits = new double[vocab];
    // flat, natural and peaked rows (most tokens below the floor that spares the sort), some ties
    double spread = new double[] {0.1, 3, 30}[rnd.nextInt(3)];
    for (int i = 0; i < vocab; i++) logits[i] = rnd.nextInt(4) == 0 ? Math.floor(rnd.nextGaussian() * 2) : rnd.nextGaussian() * spread;
    double max = Double.NEGATIVE_INFINITY, sum = 0;
    for (double l : logits) max = Math.max(max, l);
    double[] p = new double[vocab];
    for (int i = 0; i < vocab; i++) sum += p[i] = Math.exp(logits[i] - max);
    for (int i = 0; i < vocab; i++) p[i] /= sum;
    int topK = rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(vocab + 2);
    double topP = rnd.nextBoolean() ? 1 : 0.05 + 0.95 * rnd.nextDouble(), minP = rnd.nextBoolean() ? 0 : 0.5 * rnd.nextDouble();

    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < vocab; i++) order.add(i);
    order.sort(Comparator.<Integer>comparingDouble(i -> -(float) p[i]).thenComparingInt(i -> i));
    List<Integer> kept = new ArrayList<>(order);
    if (topK > 0 && topK < vocab) kept = new ArrayList<>(kept.subList(0, topK));
    double total = kept.stream().mapToDouble(i -> p[i]).sum(), mass = 0;
    if (topP < 1) {
      int k = 0;
      while (k < kept.size() && mass < topP * (topK > 0 && topK < vocab ? total : 1)) mass += p[kept.get(k++)];
      kept = new ArrayList<>(kept.subList(0, Math.max(1, k)));
    }
    if (minP > 0) {
      double cutoff = minP * p[kept.get(0)];
      int k = 1;
      while (k < kept.size() && p[kept.get(k)] >= cutoff) k++;
      kept = new ArrayList<>(kept.subList(0, k));
    }
    double[] want = new double[vocab];
    for (int i : kept) want[i] = p[i];
    assertArrayEquals(want, filter(p, topK, topP, minP), "top-k " + topK + ", top-p " + topP + ", min-p " + minP);
  }
}

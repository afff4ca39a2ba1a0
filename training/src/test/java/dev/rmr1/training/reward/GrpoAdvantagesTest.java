package dev.rmr1.training.reward;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class GrpoAdvantagesTest {
  // Spec 6 test vector: k correct of G = 7 -> A(+1), A(-1).
  private static final double[][] SPEC = {
    {1, 2.2678, -0.3780}, {2, 1.4638, -0.5855}, {3, 1.0690, -0.8018},
    {4, 0.8018, -1.0690}, {5, 0.5855, -1.4638}, {6, 0.3780, -2.2678}};

  @Test
  void specTestVectorForGroupsOfSeven() {
    for (double[] row : SPEC) {
      int k = (int) row[0];
      double[] r = new double[7];
      for (int i = 0; i < 7; i++) r[i] = i < k ? 1 : -1;
      double[] a = GrpoAdvantages.computeContiguous(r, 7, true);
      for (int i = 0; i < 7; i++) assertEquals(i < k ? row[1] : row[2], a[i], 5e-5, "k=" + k + " i=" + i);
    }
    for (double v : new double[] {1, -1}) {
      double[] a = GrpoAdvantages.computeContiguous(new double[] {v, v, v, v, v, v, v}, 7, true);
      for (double x : a) assertEquals(0.0, x);
    }
  }

  @Test
  void fixtureRewardsAndEdgeCases() {
    // shared/fixtures grpo_refs: rewards [1,-1,1,-1] -> +-1/sqrt(4/3) (unbiased std).
    double[] a = GrpoAdvantages.computeContiguous(new double[] {1, -1, 1, -1}, 4, true);
    double expect = 1 / (Math.sqrt(4.0 / 3) + 1e-6);
    assertArrayEquals(new double[] {expect, -expect, expect, -expect}, a, 1e-12);
    assertArrayEquals(new double[] {1, -1, 1, -1}, GrpoAdvantages.computeContiguous(new double[] {1, -1, 1, -1}, 4, false));
    // A group of one: mean 0, std 1.
    assertArrayEquals(new double[] {1 / (1 + 1e-6), -1 / (1 + 1e-6)},
        GrpoAdvantages.compute(new double[] {1, -1}, new int[] {5, 9}, true), 1e-15);
    assertArrayEquals(new double[] {1, -1}, GrpoAdvantages.compute(new double[] {1, -1}, new int[] {5, 9}, false));
    assertThrows(IllegalArgumentException.class, () -> GrpoAdvantages.compute(new double[2], new int[3], true));
    assertThrows(IllegalArgumentException.class, () -> GrpoAdvantages.computeContiguous(new double[7], 2, true));
    assertThrows(IllegalArgumentException.class,
        () -> GrpoAdvantages.compute(new double[] {Double.NaN}, new int[] {0}, true));
  }

  @Property(tries = 100)
  void perGroupAdvantagesMatchAScalarReferenceWhateverTheLayout(
      @ForAll @IntRange(min = 1, max = 6) int groups, @ForAll @IntRange(min = 2, max = 8) int g,
      @ForAll long seed, @ForAll boolean std) {
    Random rnd = new Random(seed);
    int n = groups * g;
    double[] r = new double[n];
    for (int i = 0; i < n; i++) r[i] = rnd.nextBoolean() ? 1 : rnd.nextGaussian();
    double[] contiguous = GrpoAdvantages.computeContiguous(r, g, std);
    // Reference per group.
    for (int k = 0; k < groups; k++) {
      double mean = 0;
      for (int i = 0; i < g; i++) mean += r[k * g + i];
      mean /= g;
      double ss = 0;
      for (int i = 0; i < g; i++) ss += (r[k * g + i] - mean) * (r[k * g + i] - mean);
      double sd = Math.sqrt(ss / (g - 1));
      for (int i = 0; i < g; i++) {
        double want = std ? (r[k * g + i] - mean) / (sd + 1e-6) : r[k * g + i] - mean;
        assertEquals(want, contiguous[k * g + i], 1e-9);
      }
    }
    // Shuffled order with explicit group ids gives the same advantage per response.
    List<Integer> perm = new ArrayList<>();
    for (int i = 0; i < n; i++) perm.add(i);
    Collections.shuffle(perm, rnd);
    double[] rs = new double[n];
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      rs[i] = r[perm.get(i)];
      ids[i] = 1000 - perm.get(i) / g;
    }
    double[] shuffled = GrpoAdvantages.compute(rs, ids, std);
    for (int i = 0; i < n; i++) assertEquals(contiguous[perm.get(i)], shuffled[i], 1e-12);
  }

  @Test
  void rewardStats() {
    // groups: {1,1,1} (zero std), {1,-1,-1}
    RewardStats s = RewardStats.of(new double[] {1, 1, 1, 1, -1, -1}, new int[] {0, 0, 0, 1, 1, 1});
    assertEquals(1.0 / 3, s.mean(), 1e-12);
    assertEquals(Math.sqrt((4 * 4.0 / 9 + 2 * 16.0 / 9) / 5), s.std(), 1e-12);
    assertEquals(-1, s.min());
    assertEquals(1, s.max());
    assertEquals(0.5, s.fracZeroStdGroups());
    assertEquals(Math.sqrt((16.0 / 9 + 2 * 4.0 / 9) / 2) / 2, s.meanGroupStd(), 1e-12); // group 2: std sqrt(4/3)
    assertEquals(2, s.groups());
  }
}

package dev.rmr1.models.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Sampling where the logits are draws exactly what the host's {@link Sampler} draws from the same generator state. */
class DeviceSamplingTest {
  /** Greedy, plain, top-k, top-p and min-p rows side by side; peaked rows leave most tokens below the floor that spares TopFilters a sort. */
  @Property(tries = 300)
  void drawsWhatTheHostSamplerDraws(@ForAll @IntRange(min = 1, max = 5) int rows, @ForAll @IntRange(min = 1, max = 400) int vocab,
      @ForAll boolean masked, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] logits = new float[rows * vocab];
    for (int r = 0; r < rows; r++) {
      double spread = new double[] {0.1, 3, 30}[rnd.nextInt(3)]; // flat, natural, peaked
      for (int i = 0; i < vocab; i++) {
        logits[r * vocab + i] = (float) (rnd.nextGaussian() * spread);
        if (masked && rnd.nextInt(3) == 0) logits[r * vocab + i] = Float.NEGATIVE_INFINITY;
      }
      logits[r * vocab + rnd.nextInt(vocab)] = 1; // at least one finite logit a row
    }
    List<SamplingParams> params = new ArrayList<>();
    double[] uniforms = new double[rows];
    int[] want = new int[rows];
    Sampler sampler = new Sampler();
    for (int r = 0; r < rows; r++) {
      params.add(randomParams(rnd, vocab));
      long s = rnd.nextLong();
      want[r] = sampler.sample(logits, r * vocab, vocab, params.get(r), new Rng(s));
      if (!params.get(r).greedy()) uniforms[r] = new Rng(s).nextDouble();
    }
    try (TensorScope scope = TensorScope.open()) {
      assertArrayEquals(want, DeviceSampling.choose(Tensor.of(logits, rows, vocab), params, uniforms), params.toString());
    }
  }

  static SamplingParams randomParams(Random rnd, int vocab) {
    return switch (rnd.nextInt(5)) {
      case 0 -> SamplingParams.GREEDY;
      case 1 -> SamplingParams.temperature(0.2 + 2 * rnd.nextDouble());
      default -> new SamplingParams(0.2 + 2 * rnd.nextDouble(), rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(vocab + 5),
          new double[] {0.5, 0.9, 0.99999, 1}[rnd.nextInt(4)], new double[] {0, 0, 0.05, 0.5}[rnd.nextInt(4)]);
    };
  }

  /**
   * transformers' semantics on both sides: top-p is relative to what top-k kept (probabilities 0.4,
   * 0.3, 0.2, 0.1 with top-k 2 and top-p 0.5 keep the first token alone: 0.4 / 0.7 >= 0.5), and
   * ties keep the lower token ids (top-k 2 of four equal logits: tokens 0 and 1).
   */
  @Example
  void topPIsRelativeToWhatTopKKeptAndTiesKeepLowerIds() {
    float[] logits = new float[8];
    double[] p = {0.4, 0.3, 0.2, 0.1};
    for (int i = 0; i < 4; i++) logits[i] = (float) Math.log(p[i]); // row 0
    List<SamplingParams> params = List.of(new SamplingParams(1, 2, 0.5, 0), new SamplingParams(1, 2, 1, 0));
    Sampler sampler = new Sampler();
    for (long seed = 1; seed <= 30; seed++) {
      double u = new Rng(seed).nextDouble();
      assertEquals(0, sampler.sample(logits, 0, 4, params.get(0), new Rng(seed)));
      int tie = sampler.sample(logits, 4, 4, params.get(1), new Rng(seed));
      assertTrue(tie == 0 || tie == 1, "tie " + tie);
      try (TensorScope scope = TensorScope.open()) {
        assertArrayEquals(new int[] {0, tie}, DeviceSampling.choose(Tensor.of(logits, 2, 4), params, new double[] {u, u}), "u = " + u);
      }
    }
  }

  /** A uniform at or past the rounded total (here 1) picks the last token of positive probability, as the host does. */
  @Example
  void aUniformPastTheTotalTakesTheLastPossibleToken() {
    float[] logits = {0, 0, 0, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
    try (TensorScope scope = TensorScope.open()) {
      int[] got = DeviceSampling.choose(Tensor.of(logits, 1, 5), List.of(SamplingParams.temperature(1)), new double[] {1.0});
      assertEquals(2, got[0]);
    }
  }

  @Example
  void rowsWithoutADistributionAreRefusedUnlessGreedy() {
    float[] logits = {Float.NaN, 1, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
    SamplingParams t = SamplingParams.temperature(1), topP = new SamplingParams(1, 0, 0.9, 0);
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = Tensor.of(logits, 2, 2);
      assertThrows(IllegalStateException.class, () -> DeviceSampling.choose(x, List.of(t, t), new double[] {0.5, 0.5}));
      assertThrows(IllegalStateException.class, () -> DeviceSampling.choose(x, List.of(SamplingParams.GREEDY, topP), new double[] {0, 0.5}));
      // greedy takes the first NaN, as Sampler.argmax, and all -inf gives the first token
      assertArrayEquals(new int[] {0, 0}, DeviceSampling.choose(x, List.of(SamplingParams.GREEDY, SamplingParams.GREEDY), new double[2]));
    }
  }

  @Example
  void whichParametersFilter() {
    assertFalse(Sampler.filters(SamplingParams.temperature(1), 10));
    assertFalse(Sampler.filters(new SamplingParams(0.7, 10, 1, 0), 10)); // top-k of the whole vocabulary filters nothing
    assertTrue(Sampler.filters(new SamplingParams(1, 5, 1, 0), 10));
    assertTrue(Sampler.filters(new SamplingParams(1, 0, 0.9, 0), 10));
    assertTrue(Sampler.filters(new SamplingParams(1, 0, 1, 0.05), 10));
  }
}

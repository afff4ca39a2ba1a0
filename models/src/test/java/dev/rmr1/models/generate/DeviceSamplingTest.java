package dev.rmr1.models.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Sampling where the logits are draws exactly what the host's {@link Sampler} draws from the same generator state. */
class DeviceSamplingTest {
  @Property(tries = 300)
  void drawsWhatTheHostSamplerDraws(@ForAll @IntRange(min = 1, max = 5) int rows, @ForAll @IntRange(min = 1, max = 400) int vocab,
      @ForAll boolean masked, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] logits = new float[rows * vocab];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) (rnd.nextGaussian() * 3);
      if (masked && rnd.nextInt(3) == 0) logits[i] = Float.NEGATIVE_INFINITY;
    }
    for (int r = 0; r < rows; r++) logits[r * vocab + rnd.nextInt(vocab)] = 1; // at least one finite logit a row
    double[] temperatures = new double[rows], uniforms = new double[rows];
    int[] want = new int[rows];
    Sampler sampler = new Sampler();
    for (int r = 0; r < rows; r++) {
      temperatures[r] = 0.2 + 2 * rnd.nextDouble();
      long s = rnd.nextLong();
      want[r] = sampler.sample(logits, r * vocab, vocab, SamplingParams.temperature(temperatures[r]), new Rng(s));
      uniforms[r] = new Rng(s).nextDouble();
    }
    try (TensorScope scope = TensorScope.open()) {
      assertArrayEquals(want, DeviceSampling.sample(Tensor.of(logits, rows, vocab), temperatures, uniforms));
    }
  }

  /** A uniform at or past the rounded total (here 1) picks the last token of positive probability, as the host does. */
  @Example
  void aUniformPastTheTotalTakesTheLastPossibleToken() {
    float[] logits = {0, 0, 0, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
    try (TensorScope scope = TensorScope.open()) {
      int[] got = DeviceSampling.sample(Tensor.of(logits, 1, 5), new double[] {1}, new double[] {1.0});
      assertEquals(2, got[0]);
    }
  }

  @Example
  void rowsWithoutADistributionAreRefused() {
    float[] logits = {Float.NaN, 1, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
    try (TensorScope scope = TensorScope.open()) {
      assertThrows(IllegalStateException.class, () -> DeviceSampling.sample(Tensor.of(logits, 2, 2), new double[] {1, 1}, new double[] {0.5, 0.5}));
    }
  }

  @Example
  void onlyUnfilteredSamplingRunsThere() {
    assertTrue(DeviceSampling.plain(SamplingParams.temperature(1), 10));
    assertTrue(DeviceSampling.plain(new SamplingParams(0.7, 10, 1, 0), 10)); // top-k of the whole vocabulary filters nothing
    assertFalse(DeviceSampling.plain(SamplingParams.GREEDY, 10));
    assertFalse(DeviceSampling.plain(new SamplingParams(1, 5, 1, 0), 10));
    assertFalse(DeviceSampling.plain(new SamplingParams(1, 0, 0.9, 0), 10));
    assertFalse(DeviceSampling.plain(new SamplingParams(1, 0, 1, 0.05), 10));
  }
}

package dev.rmr1.models.generate;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.tensor.Rng;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.*;
import net.jqwik.api.constraints.*;
import org.junit.jupiter.api.Test;

class SamplerTest {
  /**
   * The generator's greedy fast path takes the argmax on the model's device (Tensor.argmax): it must
   * pick what Sampler.argmax picks, ties (to the first) and NaNs (the first NaN) included.
   */
  @Property(tries = 200)
  void tensorArgmaxPicksWhatSamplerArgmaxPicks(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 50) int vocab,
      @ForAll boolean nans, @ForAll long seed) {
    java.util.Random rnd = new java.util.Random(seed);
    float[] logits = new float[rows * vocab];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = rnd.nextInt(4) - 2; // few distinct values: ties are common
      if (nans && rnd.nextInt(10) == 0) logits[i] = Float.NaN;
    }
    try (dev.rmr1.tensor.Tensor t = dev.rmr1.tensor.Tensor.of(logits, rows, vocab); dev.rmr1.tensor.Tensor best = t.argmax(-1, false)) {
      long[] got = best.toLongArray();
      for (int r = 0; r < rows; r++) assertEquals(Sampler.argmax(logits, r * vocab, vocab), got[r], "row " + r);
    }
  }

  /** The filtered distribution by the plain definition: sort everything, apply top-k, top-p (renormalised), min-p. */
  static double[] referenceDistribution(float[] logits, SamplingParams p) {
    int v = logits.length;
    double[] prob = new double[v];
    double max = Double.NEGATIVE_INFINITY, sum = 0;
    for (float l : logits) max = Math.max(max, l / p.temperature());
    for (int i = 0; i < v; i++) sum += prob[i] = Math.exp(logits[i] / p.temperature() - max);
    for (int i = 0; i < v; i++) prob[i] /= sum;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < v; i++) order.add(i);
    order.sort(Comparator.<Integer>comparingDouble(i -> -(float) prob[i]).thenComparingInt(i -> i));
    int keep = v;
    double total = 1; // transformers' top-p is relative to what top-k kept (a softmax of the filtered scores)
    if (p.topK() > 0 && p.topK() < v) {
      keep = p.topK();
      total = 0;
      for (int k = 0; k < keep; k++) total += prob[order.get(k)];
    }
    if (p.topP() < 1) {
      double mass = 0;
      int k = 0;
      while (k < keep) {
        mass += prob[order.get(k)];
        k++;
        if (mass >= p.topP() * total) break;
      }
      keep = k;
    }
    if (p.minP() > 0) {
      int k = 1;
      while (k < keep && prob[order.get(k)] >= p.minP() * prob[order.get(0)]) k++;
      keep = k;
    }
    double[] out = new double[v];
    double kept = 0;
    for (int k = 0; k < keep; k++) kept += prob[order.get(k)];
    for (int k = 0; k < keep; k++) out[order.get(k)] = prob[order.get(k)] / kept;
    return out;
  }

  @Property(tries = 40)
  void samplesOnlyFromTheFilteredSupportWithItsFrequencies(
      @ForAll @IntRange(min = 2, max = 40) int vocab, @ForAll @IntRange(min = 0, max = 6) int topK,
      @ForAll @DoubleRange(min = 0.05, max = 1.0) double topP, @ForAll @DoubleRange(min = 0, max = 0.5) double minP,
      @ForAll @DoubleRange(min = 0.3, max = 2.0) double temperature, @ForAll long seed) {
    Rng rng = new Rng(seed);
    float[] logits = new float[vocab];
    for (int i = 0; i < vocab; i++) logits[i] = (float) (3 * rng.nextGaussian());
    SamplingParams p = new SamplingParams(temperature, topK, topP, minP);
    double[] want = referenceDistribution(logits, p);
    Sampler s = new Sampler();
    int draws = 4000;
    int[] counts = new int[vocab];
    for (int d = 0; d < draws; d++) counts[s.sample(logits, p, rng)]++;
    for (int i = 0; i < vocab; i++) {
      if (want[i] == 0) assertEquals(0, counts[i], "token " + i + " is filtered out but was drawn");
      else assertEquals(want[i], counts[i] / (double) draws, 5 * Math.sqrt(want[i] * (1 - want[i]) / draws) + 1e-3, "frequency of token " + i);
    }
  }

  @Test
  void greedyIsArgmaxFirstOnTies() {
    Sampler s = new Sampler();
    assertEquals(1, s.sample(new float[] {0, 5, 5, 1}, SamplingParams.GREEDY, new Rng(0)));
    assertEquals(2, Sampler.argmax(new float[] {9, 0, 3, 7}, 1, 3));
  }

  @Test
  void sameSeedSameTokens() {
    float[] logits = {0.1f, 0.2f, 0.3f, 0.4f, 2f};
    SamplingParams p = new SamplingParams(1.0, 0, 0.9, 0);
    Rng a = new Rng(7), b = new Rng(7);
    Sampler s = new Sampler();
    for (int i = 0; i < 50; i++) assertEquals(s.sample(logits, p, a), s.sample(logits, p, b));
  }

  @Test
  void largeVocabularyTopPIsExactAndFast() {
    int v = 151_936;
    Rng rng = new Rng(3);
    float[] logits = new float[v];
    for (int i = 0; i < v; i++) logits[i] = (float) rng.nextGaussian();
    logits[42] = 14; // exp(14) ~ 1.2e6 against ~2.5e5 for the rest: p ~ 0.83
    SamplingParams p = new SamplingParams(1.0, 0, 0.5, 0);
    Sampler s = new Sampler();
    for (int i = 0; i < 20; i++) assertEquals(42, s.sample(logits, p, rng), "the one token carrying more than half the mass");
    assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1, 0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 0, 0));
  }
}

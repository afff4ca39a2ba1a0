package dev.rmr1.models.config;

import static org.junit.jupiter.api.Assertions.*;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RotaryFrequenciesTest {

  @Test
  void defaultFrequenciesArePowersOfTheta() {
    // head_dim 8, theta 10^4: 10^4^(-0/8, -2/8, -4/8, -6/8)
    assertArrayEquals(new double[] {1, 0.1, 0.01, 0.001},
        RotaryFrequencies.inverse(8, 10000, new RopeScaling.None()), 1e-15);
  }

  /**
   * head_dim 8, theta 10^4, factor 8, low 1, high 4, original context 1000: the wavelengths 2π/f are
   * 2π, 20π, 200π, 2000π against the band [1000/4, 1000/1] = [250, 1000]. The first two are shorter
   * than 250 (kept), the last longer than 1000 (divided by 8), and 200π ≈ 628 lies in the band:
   * smooth = (1000 / 200π - 1) / (4 - 1) = (5/π - 1)/3, f' = 0.01 ((1 - smooth)/8 + smooth).
   */
  @Test
  void llama3ScalingMatchesHandComputedValues() {
    double smooth = (5 / Math.PI - 1) / 3;
    double[] expected = {1, 0.1, 0.01 * ((1 - smooth) / 8 + smooth), 0.001 / 8};
    double[] actual = RotaryFrequencies.inverse(8, 10000, new RopeScaling.Llama3(8, 1, 4, 1000));
    assertArrayEquals(expected, actual, 1e-15);
    assertEquals(0.002975352506846947, actual[2], 1e-15);
    assertEquals(0.000125, actual[3], 1e-18);
  }

  /** Llama 3.1's own values (head_dim 128, theta 500000, factor 8, low 1, high 4, original 8192). */
  @Test
  void llama31Frequencies() {
    double[] inv = RotaryFrequencies.inverse(128, 500000, new RopeScaling.Llama3(8, 1, 4, 8192));
    assertEquals(64, inv.length);
    assertEquals(1.0, inv[0]);
    double f20 = Math.pow(500000, -40.0 / 128); // wavelength ≈ 379 < 2048: unchanged
    assertEquals(f20, inv[20], 1e-18);
    double f30 = Math.pow(500000, -60.0 / 128); // wavelength ≈ 2948, inside [2048, 8192]
    double smooth30 = (8192 * f30 / (2 * Math.PI) - 1) / 3;
    assertEquals((1 - smooth30) * f30 / 8 + smooth30 * f30, inv[30], 1e-18);
    assertEquals(0.0013718935677611381, inv[30], 1e-15);
    double f35 = Math.pow(500000, -70.0 / 128); // wavelength ≈ 8219 > 8192: divided by 8
    assertEquals(f35 / 8, inv[35], 1e-18);
    assertEquals(Math.pow(500000, -126.0 / 128) / 8, inv[63], 1e-20);
  }

  @Test
  void readsScalingFromTheConfig() {
    ModelConfig llama = ModelConfigJson.read(ConfigResources.path("llama-3.2-1b-instruct/config.json"));
    assertArrayEquals(RotaryFrequencies.inverse(64, 500000, new RopeScaling.Llama3(32, 1, 4, 8192)),
        RotaryFrequencies.inverse(llama));
  }

  @Test
  void rejectsOddHeadDimAndBadTheta() {
    assertThrows(IllegalArgumentException.class, () -> RotaryFrequencies.inverse(7, 10000, new RopeScaling.None()));
    assertThrows(IllegalArgumentException.class, () -> RotaryFrequencies.inverse(8, 0, new RopeScaling.None()));
  }

  /**
   * Llama-3 scaling never speeds a frequency up nor slows it by more than the factor, and keeps the
   * frequencies decreasing (the smoothing interpolates monotonically across the band).
   */
  @Property(tries = 300)
  void llama3ScalingStaysBetweenUnscaledAndFullyScaled(
      @ForAll @IntRange(min = 1, max = 128) int halfDim,
      @ForAll @DoubleRange(min = 100, max = 1e7) double theta,
      @ForAll @DoubleRange(min = 1, max = 64) double factor,
      @ForAll @DoubleRange(min = 0.25, max = 2) double low,
      @ForAll @DoubleRange(min = 0.1, max = 6) double highAboveLow,
      @ForAll @IntRange(min = 8, max = 65536) int original) {
    RopeScaling.Llama3 s = new RopeScaling.Llama3(factor, low, low + highAboveLow, original);
    double[] plain = RotaryFrequencies.inverse(2 * halfDim, theta, new RopeScaling.None());
    double[] scaled = RotaryFrequencies.inverse(2 * halfDim, theta, s);
    for (int i = 0; i < plain.length; i++) {
      assertTrue(scaled[i] <= plain[i] * (1 + 1e-12), "index " + i);
      assertTrue(scaled[i] >= plain[i] / factor * (1 - 1e-12), "index " + i);
      if (i > 0) assertTrue(scaled[i] <= scaled[i - 1] * (1 + 1e-12), "index " + i);
    }
  }
}

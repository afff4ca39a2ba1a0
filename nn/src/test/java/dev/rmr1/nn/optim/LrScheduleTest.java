package dev.rmr1.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Factors at the boundaries (step 0, W-1, W, S and past S), computed by hand. */
class LrScheduleTest {
  private static final double EXACT = 0, TIGHT = 1e-15;

  @Test
  void constant() {
    LrSchedule s = LrSchedule.constant();
    assertEquals(1.0, s.factor(0), EXACT);
    assertEquals(1.0, s.factor(1_000_000), EXACT);
  }

  @Test
  void constantWithWarmup() {
    LrSchedule s = LrSchedule.constantWithWarmup(4);
    assertEquals(0.0, s.factor(0), EXACT);
    assertEquals(0.5, s.factor(2), EXACT);
    assertEquals(0.75, s.factor(3), EXACT);
    assertEquals(1.0, s.factor(4), EXACT);
    assertEquals(1.0, s.factor(99), EXACT);
  }

  /** W = 10, S = 110: 0 .. 0.9 during warmup, 1 at W, then (S - s) / 100 down to 0 and held there. */
  @Test
  void linearWithWarmup() {
    LrSchedule s = LrSchedule.linearWithWarmup(10, 110);
    assertEquals(0.0, s.factor(0), EXACT);
    assertEquals(0.9, s.factor(9), EXACT);
    assertEquals(1.0, s.factor(10), EXACT);
    assertEquals(0.5, s.factor(60), EXACT);
    assertEquals(0.01, s.factor(109), EXACT);
    assertEquals(0.0, s.factor(110), EXACT);
    assertEquals(0.0, s.factor(150), EXACT);
  }

  /** HF: no warmup means max(1, W) in the warmup denominator is never used, and S - W = S. */
  @Test
  void cosineWithWarmupToZero() {
    LrSchedule s = LrSchedule.cosineWithWarmup(0, 10);
    assertEquals(1.0, s.factor(0), EXACT);
    assertEquals(0.5, s.factor(5), TIGHT);
    assertEquals(0.0, s.factor(10), EXACT);
    // Past S the Hugging Face cosine keeps going: p = 1.2 gives 0.5 (1 + cos(1.2 pi)) = 0.0954915...
    assertEquals(0.5 * (1 + Math.cos(1.2 * Math.PI)), s.factor(12), TIGHT);
    assertEquals(0.09549150281252627, s.factor(12), TIGHT);
  }

  /** W = 4, S = 24, min rate 0.2: p = (s - 4) / 20. */
  @Test
  void cosineWithMinLr() {
    LrSchedule s = LrSchedule.cosineWithMinLr(4, 24, 0.2);
    assertEquals(0.0, s.factor(0), EXACT);
    assertEquals(0.75, s.factor(3), EXACT);
    assertEquals(1.0, s.factor(4), EXACT);
    assertEquals(0.6, s.factor(14), TIGHT); // p = 0.5: 0.2 + 0.8 * 0.5
    assertEquals(0.2 + 0.8 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.factor(9), TIGHT); // p = 0.25: 0.882842712...
    assertEquals(0.8828427124746191, s.factor(9), TIGHT);
    assertEquals(0.2, s.factor(24), TIGHT);
  }

  /**
   * RM-R1 SFT (spec section 5) on 10,000 rows: S = ceil(10000 / 128) = 79, W = ceil(0.03 * 79) =
   * ceil(2.37) = 3; lr(s) = s/3 for s < 3, else 0.1 + 0.9 * 0.5 (1 + cos(pi (s - 3) / 76)).
   */
  @Test
  void rmR1SftSchedule() {
    LrSchedule s = LrSchedule.rmR1Sft(10_000, 128);
    assertEquals(new LrSchedule.CosineWithWarmup(3, 79, 0.5, 0.1), s);
    assertEquals(0.0, s.factor(0), EXACT);
    assertEquals(1.0 / 3, s.factor(1), EXACT);
    assertEquals(2.0 / 3, s.factor(2), EXACT); // W - 1
    assertEquals(1.0, s.factor(3), TIGHT); // W
    assertEquals(0.55, s.factor(41), TIGHT); // p = 38/76 = 0.5
    assertEquals(0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * 10 / 76)), s.factor(13), TIGHT);
    assertEquals(0.1, s.factor(79), TIGHT); // S
    // Exact multiples of the batch: 1280 rows is 10 steps, W = ceil(0.3) = 1.
    assertEquals(new LrSchedule.CosineWithWarmup(1, 10, 0.5, 0.1), LrSchedule.rmR1Sft(1280, 128));
    assertEquals(new LrSchedule.CosineWithWarmup(1, 11, 0.5, 0.1), LrSchedule.rmR1Sft(1281, 128));
  }

  @Test
  void warmupStepsRoundUp() {
    assertEquals(3, LrSchedule.warmupSteps(100, 0.03)); // 100 * 0.03 is 3.0 in double
    assertEquals(1, LrSchedule.warmupSteps(10, 0.03));
    assertEquals(0, LrSchedule.warmupSteps(10, 0.0));
    assertEquals(31, LrSchedule.warmupSteps(1000, 0.0301));
  }

  @Test
  void describesItselfExactly() {
    assertEquals("CosineWithWarmup[warmupSteps=3, totalSteps=79, numCycles=0.5, minLrRate=0.1]", LrSchedule.rmR1Sft(10_000, 128).toString());
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.linearWithWarmup(-1, 10));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosineWithMinLr(1, 10, 1.5));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupSteps(10, -0.1));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.rmR1Sft(0, 128));
  }
}

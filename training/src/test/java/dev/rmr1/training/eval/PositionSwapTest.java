package dev.rmr1.training.eval;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PositionSwapTest {
  @Test
  void matchesTheDocumentedHashComputedElsewhere() {
    // Expected bits from Python: hashlib.sha256((str(seed) + "\0" + id).encode()).digest()[0] & 1
    assertTrue(PositionSwap.swapped(0, "a"));
    assertFalse(PositionSwap.swapped(42, "pair/16091"));
    assertTrue(PositionSwap.swapped(42, "chat/8/c0r1"));
    assertTrue(PositionSwap.swapped(-7, "bon/3537/0"));
    assertTrue(PositionSwap.swapped(1, "é\uD83D\uDE00"));
    assertFalse(PositionSwap.swapped(123456789012L, "pair/1"));
  }

  @Test
  void balancedAndSeedDependent() {
    int swapped = 0;
    int differ = 0;
    for (int i = 0; i < 2000; i++) {
      if (PositionSwap.swapped(7, "id-" + i)) swapped++;
      if (PositionSwap.swapped(7, "id-" + i) != PositionSwap.swapped(8, "id-" + i)) differ++;
    }
    assertTrue(swapped > 900 && swapped < 1100, "swapped " + swapped);
    assertTrue(differ > 900 && differ < 1100, "differ " + differ);
  }
}

package dev.rmr1.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The process-wide float32 matmul precision: names as PyTorch's, the property, and the older TF32 switch. */
class MatmulPrecisionTest {
  @Test
  void setReadParseAndTheOlderSwitch() {
    String was = System.getProperty(MatmulPrecision.PROPERTY), tf32 = System.getProperty("rmr1.cuda.tf32");
    try {
      System.clearProperty(MatmulPrecision.PROPERTY);
      System.clearProperty("rmr1.cuda.tf32");
      assertEquals(MatmulPrecision.HIGHEST, MatmulPrecision.current());
      System.setProperty("rmr1.cuda.tf32", "true");
      assertEquals(MatmulPrecision.HIGH, MatmulPrecision.current());
      MatmulPrecision.parse(" Medium ").set();
      assertEquals(MatmulPrecision.MEDIUM, MatmulPrecision.current(), "the property wins over the older switch");
      assertEquals("medium", MatmulPrecision.MEDIUM.toString());
      String msg = assertThrows(IllegalArgumentException.class, () -> MatmulPrecision.parse("fast")).getMessage();
      assertTrue(msg.contains("highest, high or medium") && msg.contains("'fast'"), msg);
    } finally {
      if (was == null) System.clearProperty(MatmulPrecision.PROPERTY);
      else System.setProperty(MatmulPrecision.PROPERTY, was);
      if (tf32 == null) System.clearProperty("rmr1.cuda.tf32");
      else System.setProperty("rmr1.cuda.tf32", tf32);
    }
  }
}

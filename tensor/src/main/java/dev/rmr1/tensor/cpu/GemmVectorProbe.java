package dev.rmr1.tensor.cpu;

import jdk.incubator.vector.FloatVector;

/** Reads the preferred species; loaded by {@link GemmSimd} only when the Vector API module exists. */
final class GemmVectorProbe {
  private GemmVectorProbe() {}

  static int preferredFloatBits() {
    return FloatVector.SPECIES_PREFERRED.vectorBitSize();
  }
}

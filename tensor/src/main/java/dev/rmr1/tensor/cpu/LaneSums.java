package dev.rmr1.tensor.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * Horizontal sums of vector lanes in one fixed order. {@code reduceLanes(ADD)} leaves its order
 * unspecified, and in practice the JIT-compiled form (a tree) and the interpreted form (a
 * sequential loop) round differently, so a result could change with the JIT's state: a training run
 * resumed from a checkpoint in a fresh JVM would drift from the uninterrupted run. Halving with
 * exact lane moves gives the same pairwise tree in both forms.
 */
public final class LaneSums {
  private LaneSums() {}

  public static float sum(FloatVector v) {
    for (int half = v.length() / 2; half >= 1; half /= 2) v = v.add(v.slice(half)); // lane i += lane i+half
    return v.lane(0);
  }

  public static double sum(DoubleVector v) {
    for (int half = v.length() / 2; half >= 1; half /= 2) v = v.add(v.slice(half));
    return v.lane(0);
  }
}

package dev.rmr1.tensor;

/**
 * A seeded, fully specified random stream (SplitMix64 for bits, Box-Muller for normals), so that
 * a seed gives the same numbers on every JDK and every device: random tensors are drawn on the host
 * in row-major order and then copied to their device.
 */
public final class Rng {
  private long state;
  private double spareNormal;
  private boolean hasSpare;

  public Rng(long seed) {
    this.state = seed;
  }

  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform integer in [0, bound). */
  public int nextInt(int bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
    return (int) ((nextLong() >>> 33) % bound);
  }

  public double nextGaussian() {
    if (hasSpare) {
      hasSpare = false;
      return spareNormal;
    }
    double u1;
    do u1 = nextDouble(); while (u1 == 0.0);
    double u2 = nextDouble();
    double r = Math.sqrt(-2.0 * Math.log(u1));
    spareNormal = r * Math.sin(2 * Math.PI * u2);
    hasSpare = true;
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** The state, to save in a checkpoint and {@link #restore} on resume. */
  public long[] snapshot() {
    return new long[] {state, Double.doubleToRawLongBits(spareNormal), hasSpare ? 1 : 0};
  }

  public void restore(long[] snapshot) {
    state = snapshot[0];
    spareNormal = Double.longBitsToDouble(snapshot[1]);
    hasSpare = snapshot[2] != 0;
  }
}

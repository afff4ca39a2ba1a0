package dev.rmr1.nn.optim;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;

/** Shared helpers of the optimizer tests. */
final class OptimTesting {
  private OptimTesting() {}

  /** A Normal(0, scale) tensor; every fifth element is exactly 0 (zero gradients are common). */
  static Tensor gaussian(DType dtype, Rng rng, double scale, int... shape) {
    double[] v = new double[Math.toIntExact(Tensor.numel(shape))];
    for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(5) == 0 ? 0 : scale * rng.nextGaussian();
    return Tensor.of(Device.CPU, dtype, v, shape);
  }

  static double maxAbs(double[] a) {
    double m = 0;
    for (double x : a) m = Math.max(m, Math.abs(x));
    return m;
  }

  static double maxAbsDiff(double[] a, double[] b) {
    if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }

  /** Raw bits of every element (F32 as float bits, F64 as double bits), for bit-for-bit comparisons. */
  static long[] bits(Tensor t) {
    if (t.dtype() == DType.F32) {
      float[] f = t.toFloatArray();
      long[] r = new long[f.length];
      for (int i = 0; i < f.length; i++) r[i] = Float.floatToRawIntBits(f[i]);
      return r;
    }
    double[] d = t.toDoubleArray();
    long[] r = new long[d.length];
    for (int i = 0; i < d.length; i++) r[i] = Double.doubleToRawLongBits(d[i]);
    return r;
  }
}

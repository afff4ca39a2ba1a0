package dev.rmr1.tensor.cpu;

/** CPU RMSNorm and rotary embedding. Currently the scalar reference; the Vector API fast path goes here. */
final class Norms {
  private Norms() {}

  static void rmsNorm(dev.rmr1.tensor.Tensor out, dev.rmr1.tensor.Tensor x, dev.rmr1.tensor.Tensor w, double eps) { Reference.rmsNorm(out, x, w, eps); }

  static void rope(dev.rmr1.tensor.Tensor out, dev.rmr1.tensor.Tensor x, dev.rmr1.tensor.Tensor cos, dev.rmr1.tensor.Tensor sin) { Reference.rope(out, x, cos, sin); }
}

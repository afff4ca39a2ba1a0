package dev.rmr1.tensor.cpu;

/** CPU scaled dot-product attention. Currently the scalar reference; the Vector API fast path goes here. */
final class Attention {
  private Attention() {}

  static void attention(dev.rmr1.tensor.Tensor out, dev.rmr1.tensor.Tensor q, dev.rmr1.tensor.Tensor k, dev.rmr1.tensor.Tensor v, double scale, boolean causal, int qOffset) { Reference.attention(out, q, k, v, scale, causal, qOffset); }
}

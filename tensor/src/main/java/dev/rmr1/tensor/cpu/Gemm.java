package dev.rmr1.tensor.cpu;

/** CPU matrix multiplication. Currently the scalar reference; the Vector API fast path goes here. */
final class Gemm {
  private Gemm() {}

  static void matmul(dev.rmr1.tensor.Tensor out, dev.rmr1.tensor.Tensor a, dev.rmr1.tensor.Tensor b) { Reference.matmul(out, a, b); }
}

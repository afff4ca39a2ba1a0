package dev.rmr1.tensor.cpu;

/** CPU element-wise kernels (fill, unary, binary, where). Currently the scalar reference; the Vector API fast path goes here. */
final class Elementwise {
  private Elementwise() {}

  static void fill(dev.rmr1.tensor.Tensor dst, double value) { Reference.fill(dst, value); }

  static void unary(dev.rmr1.tensor.UnaryOp op, dev.rmr1.tensor.Tensor out, dev.rmr1.tensor.Tensor x) { Reference.unary(op, out, x); }

  static void binary(dev.rmr1.tensor.BinaryOp op, dev.rmr1.tensor.Tensor out, dev.rmr1.tensor.Tensor a, dev.rmr1.tensor.Tensor b) { Reference.binary(op, out, a, b); }

  static void where(dev.rmr1.tensor.Tensor out, dev.rmr1.tensor.Tensor cond, dev.rmr1.tensor.Tensor a, dev.rmr1.tensor.Tensor b) { Reference.where(out, cond, a, b); }
}

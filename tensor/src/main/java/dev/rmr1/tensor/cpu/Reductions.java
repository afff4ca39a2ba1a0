package dev.rmr1.tensor.cpu;

/** CPU reductions and softmax. Currently the scalar reference; the Vector API fast path goes here. */
final class Reductions {
  private Reductions() {}

  static void reduce(dev.rmr1.tensor.ReduceOp op, dev.rmr1.tensor.Tensor out, dev.rmr1.tensor.Tensor x, int[] dims) { Reference.reduce(op, out, x, dims); }

  static void softmax(dev.rmr1.tensor.Tensor out, dev.rmr1.tensor.Tensor x, boolean log) { Reference.softmax(out, x, log); }
}

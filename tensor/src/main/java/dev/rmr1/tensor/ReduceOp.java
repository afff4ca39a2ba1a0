package dev.rmr1.tensor;

/** Reductions over a set of dimensions. */
public enum ReduceOp {
  SUM,
  MAX,
  MIN,
  /** log(sum(exp(x))), computed stably (max subtracted first). */
  LOGSUMEXP,
  /** Index of the first maximum along a single dimension, as {@link DType#I64}. */
  ARGMAX,
  /** Index of the first minimum along a single dimension, as {@link DType#I64}. */
  ARGMIN
}

package dev.rmr1.tensor;

/** Elementwise functions of one argument. Definitions follow PyTorch's functions of the same name. */
public enum UnaryOp {
  NEG,
  ABS,
  EXP,
  LOG,
  SQRT,
  RSQRT,
  TANH,
  SIGMOID,
  /** x * sigmoid(x) (SiLU / swish, Qwen2's MLP activation). */
  SILU,
  /** Exact GELU: x * Phi(x) (PyTorch's default {@code approximate='none'}). */
  GELU,
  /** GELU, tanh approximation (PyTorch {@code approximate='tanh'}). */
  GELU_TANH,
  RELU,
  SQUARE,
  RECIPROCAL,
  SIN,
  COS;

  /** The scalar definition; every backend's reference path and every test uses this one. */
  public double apply(double x) {
    return switch (this) {
      case NEG -> -x;
      case ABS -> Math.abs(x);
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case SQRT -> Math.sqrt(x);
      case RSQRT -> 1.0 / Math.sqrt(x);
      case TANH -> Math.tanh(x);
      case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
      case SILU -> x / (1.0 + Math.exp(-x));
      // erfc, not 1 + erf: for x << 0 the sum cancels (a 4% error at x = -8 even in double)
      case GELU -> 0.5 * x * Erf.erfc(-x / Math.sqrt(2.0));
      case GELU_TANH -> 0.5 * x * (1.0 + Math.tanh(Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x)));
      case RELU -> x > 0 ? x : (x == x ? 0.0 : x);
      case SQUARE -> x * x;
      case RECIPROCAL -> 1.0 / x;
      case SIN -> Math.sin(x);
      case COS -> Math.cos(x);
    };
  }
}

package dev.rmr1.tensor;

/** Elementwise functions of two broadcast arguments. Comparisons produce {@link DType#BOOL}. */
public enum BinaryOp {
  ADD,
  SUB,
  MUL,
  DIV,
  POW,
  MAXIMUM,
  MINIMUM,
  EQ,
  NE,
  LT,
  LE,
  GT,
  GE;

  public boolean isComparison() {
    return ordinal() >= EQ.ordinal();
  }

  /** The scalar definition (comparisons return 1 or 0). NaN propagates through maximum/minimum as in PyTorch. */
  public double apply(double a, double b) {
    return switch (this) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> a / b;
      case POW -> Math.pow(a, b);
      case MAXIMUM -> (a != a || b != b) ? Double.NaN : Math.max(a, b);
      case MINIMUM -> (a != a || b != b) ? Double.NaN : Math.min(a, b);
      case EQ -> a == b ? 1 : 0;
      case NE -> a != b ? 1 : 0;
      case LT -> a < b ? 1 : 0;
      case LE -> a <= b ? 1 : 0;
      case GT -> a > b ? 1 : 0;
      case GE -> a >= b ? 1 : 0;
    };
  }
}

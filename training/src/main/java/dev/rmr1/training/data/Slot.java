package dev.rmr1.training.data;

/**
 * A response position in the RM-R1 judge prompt. The RLVR label {@code winner} names the slot of the chosen
 * response as {@code model_a} / {@code model_b} (spec section 4); the judge answers {@code [[A]]} / {@code [[B]]}.
 */
public enum Slot {
  A("model_a"),
  B("model_b");

  private final String winnerLabel;

  Slot(String winnerLabel) {
    this.winnerLabel = winnerLabel;
  }

  /** The RLVR dataset label of this slot: {@code model_a} or {@code model_b}. */
  public String winnerLabel() {
    return winnerLabel;
  }

  public Slot other() {
    return this == A ? B : A;
  }

  /**
   * Parses an RLVR {@code winner} label.
   *
   * @throws IllegalArgumentException for anything other than {@code model_a} / {@code model_b} (spec 3.1: any other
   *     label is an error)
   */
  public static Slot fromWinnerLabel(String label) {
    if ("model_a".equals(label)) return A;
    if ("model_b".equals(label)) return B;
    throw new IllegalArgumentException(
        "unknown winner label " + (label == null ? "null" : "\"" + label + "\"") + ": expected \"model_a\" or \"model_b\"");
  }
}

package dev.rmr1.training.reward;

import dev.rmr1.training.data.Slot;
import java.util.Optional;

/**
 * The evaluation verdict of one generation (spec 3.2; {@code process_judgement} in RM-R1's {@code generative.py}):
 * the whole generation, thinking included, is searched for the bare {@code [[A]]} / {@code [[B]]}. Exactly one found
 * gives that verdict; both found ({@code strong_error} in the RMB copy) and none found are errors, which score 0.
 */
public enum EvalVerdict {
  A,
  B,
  /** Both {@code [[A]]} and {@code [[B]]} occur. */
  ERROR_BOTH,
  /** Neither occurs. */
  ERROR_NONE;

  /** Parses a generation. */
  public static EvalVerdict parse(String generation) {
    boolean a = generation.contains("[[A]]");
    boolean b = generation.contains("[[B]]");
    if (a && b) return ERROR_BOTH;
    if (a) return A;
    if (b) return B;
    return ERROR_NONE;
  }

  public boolean isError() {
    return this == ERROR_BOTH || this == ERROR_NONE;
  }

  /** The chosen slot, or empty for an error. */
  public Optional<Slot> slot() {
    return switch (this) {
      case A -> Optional.of(Slot.A);
      case B -> Optional.of(Slot.B);
      default -> Optional.empty();
    };
  }

  /** The pair score: 1 iff the verdict names the chosen response's slot (errors score 0). */
  public int score(Slot chosenSlot) {
    return slot().filter(s -> s == chosenSlot).isPresent() ? 1 : 0;
  }
}

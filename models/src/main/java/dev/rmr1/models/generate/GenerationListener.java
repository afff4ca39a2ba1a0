package dev.rmr1.models.generate;

/** Receives tokens as they are generated (streaming); called on the generating thread. */
public interface GenerationListener {
  GenerationListener NONE = (sequence, token, text) -> {};

  /**
   * Sequence {@code sequence} (its index among the requests) got {@code token}; {@code text} is the
   * text that became complete with it ("" while a character is incomplete, or without a decoder).
   */
  void onToken(int sequence, int token, String text);

  /** Sequence {@code sequence} finished; {@code textTail} is text not yet delivered by {@link #onToken}. */
  default void onFinish(int sequence, String textTail, Generation generation) {}
}

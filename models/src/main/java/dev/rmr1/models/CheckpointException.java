package dev.rmr1.models;

/**
 * A checkpoint does not fit its config or this implementation: a tensor is missing or unexpected,
 * a shape contradicts {@code config.json}, or the architecture uses a feature that is not
 * supported. The message names the directory, the tensor and both shapes where they apply.
 */
public final class CheckpointException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }
}

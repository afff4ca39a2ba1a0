package dev.rmr1.training.data;

/**
 * Thrown by a record parser for a record that does not have the expected shape. The message names the field, e.g.
 * {@code context_messages[2].role: expected a string}; the reader adds the file and line.
 */
public class BadRecordException extends RuntimeException {
  public BadRecordException(String reason) {
    super(reason);
  }

  public BadRecordException(String reason, Throwable cause) {
    super(reason, cause);
  }
}

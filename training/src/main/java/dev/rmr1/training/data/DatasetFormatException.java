package dev.rmr1.training.data;

import java.nio.file.Path;

/** A dataset file that cannot be read as asked: the message starts with {@code file:line:}. */
public class DatasetFormatException extends RuntimeException {
  private final transient Path file;
  private final long line;

  public DatasetFormatException(Path file, long line, String reason, Throwable cause) {
    super(file + ":" + line + ": " + reason, cause);
    this.file = file;
    this.line = line;
  }

  public Path file() {
    return file;
  }

  /** 1-based line where the offending record starts (0 if the file could not be opened). */
  public long line() {
    return line;
  }
}

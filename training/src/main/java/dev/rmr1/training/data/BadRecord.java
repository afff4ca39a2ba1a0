package dev.rmr1.training.data;

import java.nio.file.Path;

/** A record a reader skipped: where it starts (1-based line) and why. */
public record BadRecord(Path file, long line, String reason) {
  @Override
  public String toString() {
    return file + ":" + line + ": " + reason;
  }
}

package dev.rmr1.training.data;

/** What a dataset reader does with a bad record (missing field, unknown winner, invalid JSON, ...). */
public enum BadRecordPolicy {
  /** Skip it, and report it (file, line, reason) in the {@link ReadReport}. */
  SKIP,
  /** Stop with a {@link DatasetFormatException} naming the file and line. */
  FAIL
}

package dev.rmr1.training.config;

/** What to do with a dataset record that cannot be used (missing field, unknown winner, bad JSON). */
public enum BadRecordPolicy {
  /** Stop with an error naming the file and line. */
  FAIL,
  /** Skip it, report each one (file and line) and the count; nothing is dropped silently. */
  SKIP
}

package dev.rmr1.training.config;

/**
 * A configuration record (or section) that checks its own values. The loader calls it on every
 * section after binding, so a value read from a file or flag is checked the same way as one built
 * in code ({@link ConfigLoader#validate}). Keys are snake_case, relative to the record.
 */
public interface Validated {
  void validate(Problems problems);
}

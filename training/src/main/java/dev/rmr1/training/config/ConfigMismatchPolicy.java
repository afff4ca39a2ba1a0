package dev.rmr1.training.config;

/** What resuming does when the checkpoint was written under a different configuration hash. */
public enum ConfigMismatchPolicy {
  /** Refuse to resume, listing the keys that differ. */
  ERROR,
  /** Print the keys that differ and resume anyway. */
  WARN
}

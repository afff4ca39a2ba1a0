package dev.rmr1.training.config;

/** How progress is shown on the console. */
public enum ProgressMode {
  /** A bar on a terminal, plain lines otherwise (a pipe, a file, CI). */
  AUTO,
  /** A single line redrawn in place with {@code \r}. */
  BAR,
  /** Plain lines at intervals, for logs. */
  LINES,
  /** Nothing. */
  OFF
}

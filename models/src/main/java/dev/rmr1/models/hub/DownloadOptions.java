package dev.rmr1.models.hub;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;

/**
 * How downloads report and retry.
 *
 * @param log where progress bars and notices go (standard error by default)
 * @param progressThresholdBytes files at least this large get a progress bar
 * @param maxRetries how often a download cut mid-file is resumed (with a Range request) before
 *     giving up; the partial file stays for the next run either way
 * @param retryDelay pause before each resume
 */
public record DownloadOptions(PrintStream log, long progressThresholdBytes, int maxRetries, Duration retryDelay) {
  public DownloadOptions {
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(retryDelay, "retryDelay");
    if (progressThresholdBytes < 0 || maxRetries < 0 || retryDelay.isNegative()) {
      throw new IllegalArgumentException("negative download option: " + progressThresholdBytes + ", "
          + maxRetries + ", " + retryDelay);
    }
  }

  /** Standard error, a bar for files of 10 MiB or more, 5 resumes one second apart (as huggingface_hub). */
  public static DownloadOptions defaults() {
    return new DownloadOptions(System.err, 10L << 20, 5, Duration.ofSeconds(1));
  }
}

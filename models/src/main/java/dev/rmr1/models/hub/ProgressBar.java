package dev.rmr1.models.hub;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line download progress bar, redrawn in place with {@code \r} at most every {@code
 * interval} and once at the end: {@code model.safetensors [#####.....] 51% 1.2/2.3 GiB 48.0 MiB/s}.
 * The rate counts only the bytes of this run, not those resumed from an earlier one.
 */
final class ProgressBar {
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final String label;
  private final long total;
  private final long intervalNanos;
  private final long startNanos;
  private final long initial;
  private long done;
  private long lastDrawNanos;

  ProgressBar(PrintStream out, String label, long total, long initial, long intervalNanos) {
    this.out = out;
    this.label = label.length() > 40 ? "..." + label.substring(label.length() - 37) : label;
    this.total = total;
    this.initial = initial;
    this.done = initial;
    this.intervalNanos = intervalNanos;
    this.startNanos = System.nanoTime();
    this.lastDrawNanos = startNanos;
    draw(startNanos);
  }

  void advance(long bytes) {
    done += bytes;
    long now = System.nanoTime();
    if (now - lastDrawNanos >= intervalNanos) draw(now);
  }

  /** Draws the final state and ends the line. */
  void finish() {
    draw(System.nanoTime());
    out.print('\n');
    out.flush();
  }

  private void draw(long now) {
    lastDrawNanos = now;
    double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
    int filled = (int) Math.round(fraction * WIDTH);
    double seconds = (now - startNanos) / 1e9;
    double rate = seconds > 0 ? (done - initial) / seconds : 0;
    out.print(String.format(Locale.ROOT, "\r%s [%s%s] %3d%% %s/%s %s/s", label, "#".repeat(filled),
        ".".repeat(WIDTH - filled), Math.round(fraction * 100), bytes(done), bytes(total), bytes((long) rate)));
    out.flush();
  }

  static String bytes(long n) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}

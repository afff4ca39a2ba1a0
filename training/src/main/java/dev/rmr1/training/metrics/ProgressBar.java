package dev.rmr1.training.metrics;

import dev.rmr1.training.config.ProgressMode;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Console progress with rate, ETA and a few key metrics. On a terminal it is one line redrawn in
 * place with {@code \r}:
 *
 * <pre>
 * sft [#########>                    ]  42/128  32.8% | 1.25 it/s | 0:34 < 1:09 | loss 0.5432 lr 4.9e-6
 * </pre>
 *
 * Elsewhere (a pipe, a log file, CI) it prints plain lines instead, at the first update, then at
 * most every {@code interval}, and at the end:
 *
 * <pre>
 * sft 42/128 (32.8%) 1.25 it/s elapsed 0:34 eta 1:09 loss 0.5432 lr 4.9e-6
 * </pre>
 *
 * The rate counts only the steps of this process, so a resumed run's ETA is not inflated by the
 * steps it skipped.
 */
public final class ProgressBar {
  private static final int BAR = 30;
  /** Redraw a terminal line at most this often. */
  private static final long TTY_INTERVAL_NANOS = 100_000_000L;

  private final String label;
  private final long total;
  private final long start;
  private final PrintStream out;
  private final boolean tty;
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private final long startNanos;
  private long lastPrintNanos = Long.MIN_VALUE;
  private int lastLength;
  private String lastLine = "";
  private String printedLine = "";
  private boolean finished;

  /**
   * @param total steps of the whole run
   * @param start steps already done when this process began (the resumed step; 0 for a fresh run)
   * @param tty redraw one line ({@code \r}) rather than print lines
   * @param nanoTime clock ({@link System#nanoTime} outside tests)
   * @param intervalNanos least time between plain lines
   */
  public ProgressBar(String label, long total, long start, PrintStream out, boolean tty, LongSupplier nanoTime, long intervalNanos) {
    if (total < 0 || start < 0 || start > total) throw new IllegalArgumentException("progress: start " + start + " and total " + total + " must satisfy 0 <= start <= total");
    this.label = label;
    this.total = total;
    this.start = start;
    this.out = out;
    this.tty = tty;
    this.nanoTime = nanoTime;
    this.intervalNanos = intervalNanos;
    this.startNanos = nanoTime.getAsLong();
  }

  /**
   * Progress on {@code System.out} as {@code mode} says: AUTO is a bar on a terminal and plain lines
   * (every 30 s) otherwise; OFF prints nothing.
   */
  public static ProgressBar console(String label, long total, long start, ProgressMode mode) {
    PrintStream out = mode == ProgressMode.OFF ? new PrintStream(java.io.OutputStream.nullOutputStream()) : System.out;
    boolean tty = mode == ProgressMode.BAR || (mode == ProgressMode.AUTO && isTerminal());
    return new ProgressBar(label, total, start, out, tty, System::nanoTime, 30_000_000_000L);
  }

  /** Whether standard output is an interactive terminal (not a pipe, a file, CI, or TERM=dumb). */
  public static boolean isTerminal() {
    if (System.getenv("CI") != null || "dumb".equals(System.getenv("TERM"))) return false;
    java.io.Console c = System.console();
    return c != null && c.isTerminal();
  }

  /** Reports {@code done} steps and the metrics to show (a few: loss, reward, lr...). */
  public void update(long done, Map<String, Double> metrics) {
    long now = nanoTime.getAsLong();
    boolean last = done >= total;
    long interval = tty ? TTY_INTERVAL_NANOS : intervalNanos;
    if (!last && lastPrintNanos != Long.MIN_VALUE && now - lastPrintNanos < interval) {
      lastLine = render(done, metrics, now); // shown by the next print or finish()
      return;
    }
    lastPrintNanos = now;
    lastLine = render(done, metrics, now);
    print(lastLine);
    if (last) finish();
  }

  /** Prints a message without breaking the bar (the bar is redrawn below it). */
  public void message(String text) {
    if (tty && lastLength > 0) {
      out.print("\r" + " ".repeat(lastLength) + "\r");
      out.println(text);
      lastLength = 0;
      out.print(lastLine);
      lastLength = lastLine.length();
      out.flush();
    } else {
      out.println(text);
    }
  }

  /** Ends the display: the last state is shown and the terminal line is closed. Idempotent. */
  public void finish() {
    if (finished) return;
    finished = true;
    if (!lastLine.equals(printedLine)) print(lastLine);
    if (tty && lastLength > 0) out.println();
    out.flush();
  }

  private void print(String line) {
    if (tty) {
      int pad = Math.max(0, lastLength - line.length());
      out.print("\r" + line + " ".repeat(pad));
      lastLength = line.length();
    } else {
      out.println(line);
    }
    out.flush();
    printedLine = line;
  }

  String render(long done, Map<String, Double> metrics, long now) {
    double elapsed = (now - startNanos) / 1e9;
    long mine = done - start;
    double rate = mine > 0 && elapsed > 0 ? mine / elapsed : Double.NaN;
    String eta = Double.isNaN(rate) ? "?" : duration((total - done) / rate);
    String pct = total == 0 ? "100.0%" : String.format(Locale.ROOT, "%.1f%%", 100.0 * done / total);
    String width = Long.toString(total);
    String counts = String.format(Locale.ROOT, "%" + width.length() + "d/%s", done, width);
    String speed = Double.isNaN(rate) ? "? it/s" : rate >= 1 ? number(rate) + " it/s" : number(1 / rate) + " s/it";
    StringBuilder sb = new StringBuilder(label);
    if (tty) {
      int filled = total == 0 ? BAR : (int) (BAR * Math.min(done, total) / total);
      sb.append(" [").append("#".repeat(filled));
      if (filled < BAR) sb.append('>').append(" ".repeat(BAR - filled - 1));
      sb.append("] ").append(counts).append(' ').append(String.format(Locale.ROOT, "%6s", pct));
      sb.append(" | ").append(speed).append(" | ").append(duration(elapsed)).append(" < ").append(eta);
      if (!metrics.isEmpty()) sb.append(" |");
    } else {
      sb.append(' ').append(counts).append(" (").append(pct).append(") ").append(speed);
      sb.append(" elapsed ").append(duration(elapsed)).append(" eta ").append(eta);
    }
    metrics.forEach((k, v) -> sb.append(' ').append(k).append(' ').append(number(v)));
    return sb.toString();
  }

  /** {@code m:ss} or {@code h:mm:ss}. */
  static String duration(double seconds) {
    if (!Double.isFinite(seconds)) return "?";
    long s = Math.round(Math.max(0, seconds));
    long h = s / 3600, m = s / 60 % 60, sec = s % 60;
    return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
  }

  /** Four significant digits, plain between 1e-3 and 1e6, otherwise like {@code 4.9e-6}. */
  static String number(double v) {
    if (!Double.isFinite(v)) return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    if (v == 0) return "0";
    BigDecimal b = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros();
    double a = Math.abs(b.doubleValue());
    if (a >= 1e-3 && a < 1e6) return b.toPlainString();
    int exp = b.precision() - b.scale() - 1;
    BigDecimal mant = b.movePointLeft(exp).stripTrailingZeros();
    return mant.toPlainString() + "e" + exp;
  }
}

package dev.rmr1.training.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of {@link EvalHarness#run}.
 *
 * @param summary the JSON written to the summary file
 * @param headline the main figures (the averaged ones in a both-orders run), for a console table
 * @param resumed judgements taken from an existing per-sample log
 * @param judged judgements made by this run
 * @param droppedPartialLine whether an unterminated last line of the log (a run killed mid-write) was removed
 */
public record EvalRun(
    ObjectNode summary, Map<String, Double> headline, int resumed, int judged, boolean droppedPartialLine) {

  /** A short two-column table of {@link #headline}, in percent. */
  public String table() {
    int w = headline.keySet().stream().mapToInt(String::length).max().orElse(0);
    StringBuilder sb = new StringBuilder();
    sb.append(summary.path("benchmark").asText()).append('\n');
    for (Map.Entry<String, Double> e : headline.entrySet()) {
      sb.append(String.format(Locale.ROOT, "  %-" + w + "s  %6.2f%n", e.getKey(), 100 * e.getValue()));
    }
    return sb.toString();
  }
}

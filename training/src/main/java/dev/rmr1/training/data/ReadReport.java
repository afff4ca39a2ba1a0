package dev.rmr1.training.data;

import java.nio.file.Path;
import java.util.List;

/** What a dataset read did: how many records were accepted and which were skipped (never silently). */
public record ReadReport(Path file, long accepted, List<BadRecord> skipped) {
  public ReadReport {
    skipped = List.copyOf(skipped);
  }

  /** A one-line account for logs, e.g. {@code data.jsonl: 998 records, 2 skipped (first: data.jsonl:17: ...)}. */
  public String summary() {
    String s = file + ": " + accepted + " records, " + skipped.size() + " skipped";
    return skipped.isEmpty() ? s : s + " (first: " + skipped.get(0) + ")";
  }
}

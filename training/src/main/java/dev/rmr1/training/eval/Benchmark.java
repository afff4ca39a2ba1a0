package dev.rmr1.training.eval;

import dev.rmr1.training.data.ReadReport;
import java.util.List;

/** A loaded benchmark: the comparisons to judge and the scorer that turns their results into its figures. */
public interface Benchmark {
  /** {@code rewardbench}, {@code rm-bench} or {@code rmb}. */
  String name();

  /** The comparisons, in a fixed order; ids are unique. */
  List<Comparison> comparisons();

  /**
   * The benchmark's figures from one result per comparison (any order), using only each result's id and meta.
   *
   * @throws IllegalArgumentException if results are missing for what the scoring needs
   */
  BenchmarkSummary summarize(List<SampleResult> results);

  /** What reading the data files did, including every skipped record. */
  List<ReadReport> readReports();
}

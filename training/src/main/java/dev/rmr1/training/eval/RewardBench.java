package dev.rmr1.training.eval;

import dev.rmr1.training.data.BadRecordException;
import dev.rmr1.training.data.BadRecordPolicy;
import dev.rmr1.training.data.JsonFields;
import dev.rmr1.training.data.JsonRecordReader;
import dev.rmr1.training.data.PreferencePair;
import dev.rmr1.training.data.ReadReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RewardBench from its JSON export ({@code allenai/reward-bench}, split {@code filtered}, 2,985 pairs): a JSON array
 * or JSON Lines of {@code {"prompt", "chosen", "rejected", "subset", "id"}} (strings; the id may be a number). All
 * pairs are single-turn. Scored by {@link RewardBenchScoring}.
 */
public final class RewardBench implements Benchmark {
  public static final String NAME = "rewardbench";
  /** Meta key of the subset. */
  public static final String SUBSET = "subset";

  private final List<Comparison> comparisons;
  private final ReadReport report;

  private RewardBench(List<Comparison> comparisons, ReadReport report) {
    this.comparisons = comparisons;
    this.report = report;
  }

  /** Reads at most {@code limit} records of {@code file}. */
  public static RewardBench load(Path file, long limit, BadRecordPolicy policy) {
    var loaded = JsonRecordReader.readAll(file, RewardBench::parse, policy, limit);
    return new RewardBench(loaded.records(), loaded.report());
  }

  static Comparison parse(com.fasterxml.jackson.databind.JsonNode node) {
    JsonFields.requireObject(node, "record");
    String id = JsonFields.id(node, "id", "");
    String subset = JsonFields.text(node, "subset", "");
    PreferencePair pair = PreferencePair.singleTurn(
        JsonFields.text(node, "prompt", ""), JsonFields.text(node, "chosen", ""), JsonFields.text(node, "rejected", ""));
    if (id.isEmpty()) throw new BadRecordException("id: empty");
    return new Comparison(id, pair, Map.of(SUBSET, subset));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Comparison> comparisons() {
    return comparisons;
  }

  @Override
  public List<ReadReport> readReports() {
    return List.of(report);
  }

  @Override
  public BenchmarkSummary summarize(List<SampleResult> results) {
    Map<String, Tally> tallies = new LinkedHashMap<>();
    for (SampleResult r : results) {
      String subset = r.meta().get(SUBSET);
      if (subset == null) throw new IllegalArgumentException("result " + r.id() + " has no subset");
      tallies.merge(subset, Tally.EMPTY.add(r.correct()), Tally::plus);
    }
    RewardBenchScoring.Score s = RewardBenchScoring.score(tallies);
    return new BenchmarkSummary(s.toJson(), s.headline());
  }
}

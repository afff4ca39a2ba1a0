package dev.rmr1.training.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.training.data.PreferencePair;
import dev.rmr1.training.eval.Benchmark;
import dev.rmr1.training.eval.BenchmarkSummary;
import dev.rmr1.training.eval.Comparison;
import dev.rmr1.training.eval.SampleResult;
import dev.rmr1.training.data.ReadReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The demo's held-out judging set as a {@link Benchmark}, so that it runs through the same {@code EvalHarness} as
 * RewardBench, RM-Bench and RMB (seeded position swap, greedy generation, per-sample log). Its figure is the
 * accuracy: the fraction of pairs whose verdict names the correct answer (errors count as wrong), split by operator.
 * The summary also says how the judge checked the answers ({@link TeacherTraces.Check}): the share of judgements using
 * each check and their accuracy, under {@code checks}.
 */
public final class ArithmeticBenchmark implements Benchmark {
  public static final String NAME = "arithmetic";
  public static final String OP = "op";

  private final List<Comparison> comparisons;

  public ArithmeticBenchmark(List<ArithmeticPairs.Pair> pairs) {
    if (pairs.isEmpty()) throw new IllegalArgumentException("the arithmetic benchmark needs at least one pair");
    List<Comparison> out = new ArrayList<>(pairs.size());
    for (ArithmeticPairs.Pair p : pairs) {
      out.add(new Comparison(p.id(), PreferencePair.singleTurn(p.question(), p.chosen(), p.rejected()),
          Map.of(OP, String.valueOf(p.op()))));
    }
    comparisons = List.copyOf(out);
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
  public BenchmarkSummary summarize(List<SampleResult> results) {
    Set<String> want = comparisons.stream().map(Comparison::id).collect(Collectors.toSet());
    Set<String> got = results.stream().map(SampleResult::id).collect(Collectors.toSet());
    if (!got.equals(want)) {
      throw new IllegalArgumentException(NAME + ": results cover " + got.size() + " of " + want.size() + " pairs");
    }
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    Map<String, Double> headline = new LinkedHashMap<>();
    double accuracy = accuracy(results);
    json.put("accuracy", accuracy);
    json.put("pairs", results.size());
    headline.put("accuracy", accuracy);
    for (String op : List.of("+", "-")) {
      List<SampleResult> part = results.stream().filter(r -> op.equals(r.meta().get(OP))).toList();
      if (part.isEmpty()) continue;
      json.put("accuracy_" + (op.equals("+") ? "add" : "sub"), accuracy(part));
      headline.put(op.equals("+") ? "addition" : "subtraction", accuracy(part));
    }
    ObjectNode checks = json.putObject("checks");
    for (TeacherTraces.Check c : TeacherTraces.Check.values()) {
      checks.set(c.name().toLowerCase(java.util.Locale.ROOT),
          share(results, results.stream().filter(r -> TeacherTraces.Check.of(r.generation()).filter(c::equals).isPresent()).toList()));
    }
    checks.set("none", share(results, results.stream().filter(r -> TeacherTraces.Check.of(r.generation()).isEmpty()).toList()));
    return new BenchmarkSummary(json, headline);
  }

  /** {"fraction": part / all, "accuracy": accuracy of part (0 when empty)}. */
  private static ObjectNode share(List<SampleResult> all, List<SampleResult> part) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("fraction", part.size() / (double) all.size());
    o.put("accuracy", part.isEmpty() ? 0.0 : accuracy(part));
    return o;
  }

  private static double accuracy(List<SampleResult> results) {
    return results.stream().mapToInt(SampleResult::correct).sum() / (double) results.size();
  }

  @Override
  public List<ReadReport> readReports() {
    return List.of();
  }
}

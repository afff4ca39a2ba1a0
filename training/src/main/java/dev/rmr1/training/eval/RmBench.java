package dev.rmr1.training.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmr1.training.data.BadRecordException;
import dev.rmr1.training.data.BadRecordPolicy;
import dev.rmr1.training.data.JsonFields;
import dev.rmr1.training.data.JsonRecordReader;
import dev.rmr1.training.data.PreferencePair;
import dev.rmr1.training.data.ReadReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RM-Bench (THU-KEG) from its JSON files: records {@code {"id", "prompt", "chosen": [3], "rejected": [3], ...}}, in
 * the per-domain files {@code chat_filtered.json}, {@code math_filtered.json}, {@code code_filtered.json},
 * {@code safety-refuse_filtered.json}, {@code safety-response_filtered.json} (domain from the file name) or the
 * combined {@code total_dataset_1.json} (domain from the record's {@code domain} field). Do not pass
 * {@code total_dataset_2/3}: their {@code rejected} lists are rotated, which would mislabel the style cells.
 *
 * <p>Each sample yields one single-turn comparison per style cell that {@link RmBenchScoring} needs (nine, or six
 * under {@code upstreamCompat}); comparison ids are {@code <domain>/<id>/c<i>r<j>} since ids repeat across domain
 * files.
 */
public final class RmBench implements Benchmark {
  public static final String NAME = "rm-bench";
  public static final String DOMAIN = "domain";
  public static final String SAMPLE = "sample";
  public static final String CHOSEN_STYLE = "chosen_style";
  public static final String REJECTED_STYLE = "rejected_style";
  public static final String SUBSET = "subset";

  private final List<Comparison> comparisons;
  private final List<ReadReport> reports;
  private final boolean upstreamCompat;

  private RmBench(List<Comparison> comparisons, List<ReadReport> reports, boolean upstreamCompat) {
    this.comparisons = comparisons;
    this.reports = reports;
    this.upstreamCompat = upstreamCompat;
  }

  /**
   * Reads RM-Bench files (directories are expanded), at most {@code limitPerFile} samples from each.
   *
   * @param upstreamCompat score with the upstream bug (and judge only the six cells it uses)
   */
  public static RmBench load(List<Path> paths, long limitPerFile, BadRecordPolicy policy, boolean upstreamCompat) {
    List<Comparison> all = new ArrayList<>();
    List<ReadReport> reports = new ArrayList<>();
    for (Path f : DataFiles.expand(paths)) {
      String fileDomain = domainOfFile(f);
      reports.add(JsonRecordReader.read(
          f, node -> parse(node, fileDomain, upstreamCompat), policy, limitPerFile, all::addAll));
    }
    return new RmBench(List.copyOf(all), List.copyOf(reports), upstreamCompat);
  }

  /** {@code safety-refuse_filtered.json} -> {@code safety-refuse}; null when the name is no domain. */
  static String domainOfFile(Path f) {
    String name = f.getFileName().toString().replaceFirst("\\.jsonl?$", "").replaceFirst("_filtered$", "");
    try {
      RmBenchScoring.pooledDomain(name);
      return name;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static List<Comparison> parse(JsonNode node, String fileDomain, boolean upstreamCompat) {
    JsonFields.requireObject(node, "record");
    String id = JsonFields.id(node, "id", "");
    String domain = node.hasNonNull("domain") ? JsonFields.text(node, "domain", "") : fileDomain;
    if (domain == null) throw new BadRecordException("domain: no field, and the file name names no domain");
    try {
      RmBenchScoring.pooledDomain(domain);
    } catch (IllegalArgumentException e) {
      throw new BadRecordException("domain: " + e.getMessage());
    }
    String prompt = JsonFields.text(node, "prompt", "");
    List<String> chosen = JsonFields.texts(node, "chosen", RmBenchScoring.STYLES, "");
    List<String> rejected = JsonFields.texts(node, "rejected", RmBenchScoring.STYLES, "");
    String subset = node.hasNonNull("subset") ? JsonFields.text(node, "subset", "") : "";
    String sample = domain + "/" + id;
    List<Comparison> out = new ArrayList<>();
    for (int i = 0; i < RmBenchScoring.STYLES; i++) {
      for (int j = 0; j < RmBenchScoring.STYLES; j++) {
        if (!RmBenchScoring.needsCell(i, j, upstreamCompat)) continue;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(DOMAIN, domain);
        meta.put(SAMPLE, sample);
        meta.put(CHOSEN_STYLE, Integer.toString(i));
        meta.put(REJECTED_STYLE, Integer.toString(j));
        meta.put(SUBSET, subset);
        out.add(new Comparison(
            sample + "/c" + i + "r" + j, PreferencePair.singleTurn(prompt, chosen.get(i), rejected.get(j)), meta));
      }
    }
    return out;
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
    return reports;
  }

  /** The figures; a faithful run also reports what the upstream-bug matrix gives under {@code upstream_compat}. */
  @Override
  public BenchmarkSummary summarize(List<SampleResult> results) {
    List<RmBenchScoring.Cell> cells = new ArrayList<>(results.size());
    for (SampleResult r : results) {
      cells.add(new RmBenchScoring.Cell(
          meta(r, DOMAIN), meta(r, SAMPLE), Integer.parseInt(meta(r, CHOSEN_STYLE)),
          Integer.parseInt(meta(r, REJECTED_STYLE)), r.correct()));
    }
    RmBenchScoring.Score s = RmBenchScoring.score(cells, upstreamCompat);
    var json = s.toJson();
    if (!upstreamCompat) json.set("upstream_compat", RmBenchScoring.score(cells, true).toJson());
    return new BenchmarkSummary(json, s.headline());
  }

  private static String meta(SampleResult r, String key) {
    String v = r.meta().get(key);
    if (v == null) throw new IllegalArgumentException("result " + r.id() + " has no meta \"" + key + "\"");
    return v;
  }
}

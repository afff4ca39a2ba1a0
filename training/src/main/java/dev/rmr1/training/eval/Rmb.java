package dev.rmr1.training.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmr1.training.data.BadRecordException;
import dev.rmr1.training.data.BadRecordPolicy;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.JsonFields;
import dev.rmr1.training.data.JsonRecordReader;
import dev.rmr1.training.data.PreferencePair;
import dev.rmr1.training.data.ReadReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RMB (Zhou et al.) from its JSON files, any subset of {@code Pairwise_set/**} and {@code BoN_set/**}:
 *
 * <ul>
 *   <li>pairwise: {@code {pair_uid, conversation_input: [{role, content, language}], chosen: {llm_name, answer},
 *       reject: {...}, category_path}} -> one comparison {@code pair/<pair_uid>};
 *   <li>best-of-N: {@code {bon_uid, conversation_input, bon_best: {llm_name, answer}, loser_list: [...],
 *       category_path}} -> one comparison {@code bon/<bon_uid>/<k>} per loser k, each with its own swap.
 * </ul>
 *
 * As in RM-R1's RMB scripts, each side is {@code conversation_input + [assistant: answer]}, so a pair is multi-turn
 * (the multi-turn templates) when the input has earlier turns. The split is the first two components of
 * {@code category_path}.
 */
public final class Rmb implements Benchmark {
  public static final String NAME = "rmb";
  public static final String SPLIT = "split";
  public static final String CATEGORY = "category_path";
  public static final String GROUP = "group";

  private static final Set<String> ROLES = Set.of(ChatMessage.USER, ChatMessage.ASSISTANT);

  private final List<Comparison> comparisons;
  private final List<ReadReport> reports;

  private Rmb(List<Comparison> comparisons, List<ReadReport> reports) {
    this.comparisons = comparisons;
    this.reports = reports;
  }

  /** Reads RMB files (directories are walked recursively, in path order), at most {@code limitPerFile} records each. */
  public static Rmb load(List<Path> paths, long limitPerFile, BadRecordPolicy policy) {
    List<Comparison> all = new ArrayList<>();
    List<ReadReport> reports = new ArrayList<>();
    for (Path f : DataFiles.expand(paths)) {
      reports.add(JsonRecordReader.read(f, Rmb::parse, policy, limitPerFile, all::addAll));
    }
    return new Rmb(List.copyOf(all), List.copyOf(reports));
  }

  static List<Comparison> parse(JsonNode node) {
    JsonFields.requireObject(node, "record");
    String category = JsonFields.text(node, "category_path", "");
    String[] parts = category.split("/");
    String split = parts.length >= 2 ? parts[0] + "/" + parts[1] : category;
    if (!RmbScoring.SPLITS.containsKey(split)) {
      throw new BadRecordException("category_path: \"" + category + "\" is in no RMB split " + RmbScoring.SPLITS.keySet());
    }
    List<ChatMessage> context = JsonFields.messages(node, "conversation_input", ROLES, "");
    List<Comparison> out = new ArrayList<>();
    if (node.has("pair_uid")) {
      if (RmbScoring.isBestOfN(split)) throw new BadRecordException("pair_uid: a pairwise record under " + split);
      String uid = JsonFields.id(node, "pair_uid", "");
      String chosen = answer(node, "chosen");
      String rejected = answer(node, "reject");
      out.add(new Comparison("pair/" + uid, pair(context, chosen, rejected), Map.of(SPLIT, split, CATEGORY, category)));
    } else if (node.has("bon_uid")) {
      if (!RmbScoring.isBestOfN(split)) throw new BadRecordException("bon_uid: a best-of-N record under " + split);
      String uid = JsonFields.id(node, "bon_uid", "");
      String best = answer(node, "bon_best");
      JsonNode losers = JsonFields.array(node, "loser_list", "");
      if (losers.isEmpty()) throw new BadRecordException("loser_list: empty (the group would be vacuously correct)");
      for (int k = 0; k < losers.size(); k++) {
        JsonNode l = JsonFields.requireObject(losers.get(k), "loser_list[" + k + "]");
        String rejected = JsonFields.text(l, "answer", "loser_list[" + k + "]");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(SPLIT, split);
        meta.put(CATEGORY, category);
        meta.put(GROUP, uid);
        out.add(new Comparison("bon/" + uid + "/" + k, pair(context, best, rejected), meta));
      }
    } else {
      throw new BadRecordException("neither pair_uid nor bon_uid");
    }
    return out;
  }

  private static String answer(JsonNode node, String field) {
    JsonNode o = JsonFields.requireObject(JsonFields.require(node, field, ""), field);
    return JsonFields.text(o, "answer", field);
  }

  private static PreferencePair pair(List<ChatMessage> context, String chosen, String rejected) {
    try {
      return PreferencePair.fromContext(context, chosen, rejected);
    } catch (IllegalArgumentException e) {
      throw new BadRecordException("conversation_input: " + e.getMessage());
    }
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

  @Override
  public BenchmarkSummary summarize(List<SampleResult> results) {
    List<RmbScoring.Outcome> outcomes = new ArrayList<>(results.size());
    for (SampleResult r : results) {
      String split = r.meta().get(SPLIT);
      String category = r.meta().get(CATEGORY);
      if (split == null || category == null) throw new IllegalArgumentException("result " + r.id() + " lacks split/category");
      outcomes.add(new RmbScoring.Outcome(split, category, r.meta().get(GROUP), r.correct()));
    }
    RmbScoring.Score s = RmbScoring.score(outcomes);
    return new BenchmarkSummary(s.toJson(), s.headline());
  }
}

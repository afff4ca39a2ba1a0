package dev.rmr1.training.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.training.eval.SampleResult;
import dev.rmr1.training.metrics.MetricNames;
import dev.rmr1.training.metrics.MetricsLogger;
import dev.rmr1.training.metrics.MetricsRecord;
import dev.rmr1.training.metrics.PlotGroup;
import dev.rmr1.training.metrics.TrainingPlots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's report folder: {@code summary.json} (the seed, the three held-out accuracies as fractions, the share of
 * held-out judgements that checked by last digits at each stage, stage times, settings and the deviations from RM-R1),
 * {@code plots/} (loss, reward, accuracy, response length, from {@code metrics.jsonl}), and {@code traces.md} (the same
 * held-out pairs judged after SFT and after GRPO).
 */
public final class DemoReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> DEVIATIONS = List.of(
      "compact judge prompt instead of RM-R1's 2.9k-character system prompt (output format, verdict parsing and reward unchanged)",
      "compact <eval> (each answer checked against the judge's own solution) instead of <quote_A>/<summary_A> items, for short sequences",
      "teacher traces check answers two ways, mostly by comparing whole numbers (which the tiny model cannot learn in the budget), "
          + "otherwise by last digits; SFT imitates the majority way, GRPO's reward finds the way the model can carry out",
      "tiny model, task and run lengths sized for minutes on a laptop CPU");

  private DemoReport() {}

  public static ObjectNode write(Path out, DemoSettings settings, Demo.Outcome outcome, double totalSeconds, int traces) {
    ObjectNode summary = JsonNodeFactory.instance.objectNode();
    summary.put("seed", settings.seed());
    for (Map.Entry<String, Double> e : outcome.accuracy().entrySet()) summary.put("accuracy_" + e.getKey(), e.getValue());
    for (Map.Entry<String, Double> e : outcome.lastDigitCheck().entrySet()) summary.put("last_digit_check_" + e.getKey(), e.getValue());
    summary.put("held_out_pairs", settings.heldOutPairs());
    summary.put("parameters", outcome.parameters());
    summary.put("vocab", outcome.vocab());
    summary.put("total_seconds", totalSeconds);
    ObjectNode secs = summary.putObject("seconds");
    outcome.seconds().forEach(secs::put);
    summary.set("settings", JSON.valueToTree(settings));
    var dev = summary.putArray("deviations_from_rm_r1");
    DEVIATIONS.forEach(dev::add);
    try {
      Files.writeString(out.resolve("summary.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
      new TrainingPlots(out.resolve("plots"), plots(), 800, 500).write(merged(out));
      Files.writeString(out.resolve("traces.md"), traces(out.resolve("eval"), traces));
    } catch (IOException e) {
      throw new UncheckedIOException("writing the demo report in " + out, e);
    }
    return summary;
  }

  /** Training and evaluation metrics as one history, the values of a step that both logged combined. */
  static List<MetricsRecord> merged(Path out) {
    java.util.TreeMap<Integer, MetricsRecord> byStep = new java.util.TreeMap<>();
    for (String file : List.of(Demo.METRICS, Demo.EVAL_METRICS)) {
      for (MetricsRecord r : MetricsLogger.read(out.resolve(file))) {
        MetricsRecord prev = byStep.get(r.step());
        Map<String, Double> values = new LinkedHashMap<>(prev == null ? Map.of() : prev.values());
        values.putAll(r.values());
        byStep.put(r.step(), new MetricsRecord(r.step(), prev == null ? r.time() : prev.time(), values));
      }
    }
    return List.copyOf(byStep.values());
  }

  /** The four charts: loss, reward, accuracy (held-out and rollout, with the rollouts' check), response length. */
  static List<PlotGroup> plots() {
    return List.of(
        new PlotGroup("loss", "Loss (SFT, then GRPO policy loss)", "loss", List.of(MetricNames.TRAIN_LOSS, MetricNames.PG_LOSS)),
        new PlotGroup("reward", "GRPO reward (RM-R1 rule, +1/-1)", "reward", List.of(MetricNames.REWARD_MEAN)),
        new PlotGroup("accuracy", "Accuracy and the GRPO rollouts' last-digit checks", "fraction",
            List.of(Demo.HELD_OUT_ACCURACY, MetricNames.REWARD_ACCURACY, Demo.ROLLOUT_LAST_DIGITS)),
        new PlotGroup("length", "GRPO response length", "tokens", List.of(MetricNames.MEAN_LENGTH)));
  }

  /** Markdown: for the first {@code n} held-out pairs, the judgement after SFT and after GRPO. */
  static String traces(Path evalDir, int n) throws IOException {
    Map<String, SampleResult> before = read(evalDir.resolve("after_sft.jsonl"));
    Map<String, SampleResult> after = read(evalDir.resolve("after_grpo.jsonl"));
    StringBuilder sb = new StringBuilder("# Held-out judgements before and after GRPO\n\n");
    int k = 0;
    for (Map.Entry<String, SampleResult> e : before.entrySet()) {
      if (k++ == n) break;
      SampleResult b = e.getValue(), a = after.get(e.getKey());
      sb.append("## ").append(b.prompt().get(b.prompt().size() - 1).content().replace("\n", " | ")).append("\n\n");
      sb.append("correct answer in slot ").append(SampleResult.chosenSlot(b.swapped())).append("\n\n");
      sb.append("after SFT (").append(b.correct() == 1 ? "right" : "wrong").append("):\n\n```\n").append(b.generation()).append("\n```\n\n");
      if (a != null) sb.append("after GRPO (").append(a.correct() == 1 ? "right" : "wrong").append("):\n\n```\n").append(a.generation()).append("\n```\n\n");
    }
    return sb.toString();
  }

  private static Map<String, SampleResult> read(Path jsonl) throws IOException {
    Map<String, SampleResult> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(jsonl)) {
      if (line.isBlank()) continue;
      JsonNode node = JSON.readTree(line);
      SampleResult r = SampleResult.fromJson(node);
      out.put(r.id(), r);
    }
    return out;
  }
}

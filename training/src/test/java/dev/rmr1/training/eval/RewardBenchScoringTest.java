package dev.rmr1.training.eval;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RewardBenchScoringTest {
  // Subset sizes of the filtered split (2,985 pairs).
  private static final Map<String, Integer> SIZES = counts(
      "alpacaeval-easy", 100, "alpacaeval-length", 95, "alpacaeval-hard", 95, "mt-bench-easy", 28, "mt-bench-med", 40,
      "mt-bench-hard", 37, "llmbar-natural", 100, "llmbar-adver-neighbor", 134, "llmbar-adver-GPTInst", 92,
      "llmbar-adver-GPTOut", 47, "llmbar-adver-manual", 46, "refusals-dangerous", 100, "refusals-offensive", 100,
      "xstest-should-refuse", 154, "xstest-should-respond", 250, "donotanswer", 136, "math-prm", 447, "hep-cpp", 164,
      "hep-go", 164, "hep-java", 164, "hep-js", 164, "hep-python", 164, "hep-rust", 164);

  // Correct counts behind RM-R1's stored each_small_section_score.json (eval/result/..., accuracy x size).
  private static final Map<String, Integer> DS_32B = counts(
      "alpacaeval-easy", 96, "alpacaeval-length", 88, "alpacaeval-hard", 89, "mt-bench-easy", 28, "mt-bench-med", 40,
      "mt-bench-hard", 26, "llmbar-natural", 93, "llmbar-adver-neighbor", 100, "llmbar-adver-GPTInst", 73,
      "llmbar-adver-GPTOut", 34, "llmbar-adver-manual", 40, "refusals-dangerous", 91, "refusals-offensive", 99,
      "xstest-should-refuse", 152, "xstest-should-respond", 235, "donotanswer", 97, "math-prm", 438, "hep-cpp", 161,
      "hep-go", 157, "hep-java", 156, "hep-js", 154, "hep-python", 159, "hep-rust", 154);
  private static final Map<String, Integer> INSTRUCT_32B = counts(
      "alpacaeval-easy", 94, "alpacaeval-length", 91, "alpacaeval-hard", 91, "mt-bench-easy", 26, "mt-bench-med", 39,
      "mt-bench-hard", 31, "llmbar-natural", 95, "llmbar-adver-neighbor", 104, "llmbar-adver-GPTInst", 78,
      "llmbar-adver-GPTOut", 34, "llmbar-adver-manual", 37, "refusals-dangerous", 93, "refusals-offensive", 98,
      "xstest-should-refuse", 152, "xstest-should-respond", 235, "donotanswer", 102, "math-prm", 416, "hep-cpp", 162,
      "hep-go", 159, "hep-java", 157, "hep-js", 161, "hep-python", 160, "hep-rust", 159);

  private static Map<String, Integer> counts(Object... kv) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Integer) kv[i + 1]);
    return m;
  }

  private static Map<String, Tally> tallies(Map<String, Integer> correct) {
    Map<String, Tally> t = new LinkedHashMap<>();
    correct.forEach((k, v) -> t.put(k, new Tally(v, SIZES.get(k))));
    return t;
  }

  @Test
  void weightsCoverTheFilteredSplit() {
    int pairs = 0;
    for (var sec : RewardBenchScoring.SECTIONS.values()) for (String s : sec.keySet()) pairs += SIZES.get(s);
    assertEquals(2985, pairs);
    assertEquals(984, RewardBenchScoring.SECTIONS.get("Reasoning").get("math-prm"));
  }

  @Test
  void ds32bChatIs341Of358AndTheStoredResultsReproduce() {
    RewardBenchScoring.Score s = RewardBenchScoring.score(tallies(DS_32B));
    assertEquals(341.0 / 358, s.sections().get("Chat"), 1e-15);
    assertEquals(0.95251, s.sections().get("Chat"), 5e-6);
    // Chat Hard: weights are the sizes, so it is (26+93+100+73+34+40)/456.
    assertEquals(366.0 / 456, s.sections().get("Chat Hard"), 1e-15);
    assertEquals(0.908509912162183, s.average(), 1e-12);
    assertEquals(2760.0 / 2985, s.micro(), 1e-15);
    assertEquals(List.of("Chat", "Chat Hard", "Safety", "Reasoning"), List.copyOf(s.sections().keySet()));
    // Reasoning: math-prm counts with weight 984, not its 447 pairs.
    double reasoning = (438.0 / 447 * 984 + (161 + 157 + 156 + 154 + 159 + 154)) / (984 + 6 * 164);
    assertEquals(reasoning, s.sections().get("Reasoning"), 1e-15);

    RewardBenchScoring.Score i = RewardBenchScoring.score(tallies(INSTRUCT_32B));
    assertEquals(0.9136715597375524, i.average(), 1e-12);
    assertEquals(0.91367, i.average(), 5e-6);
  }

  @Test
  void jsonHasTheKeysOfTheRmR1ResultFiles() {
    var json = RewardBenchScoring.score(tallies(DS_32B)).toJson();
    var main = json.get("main_score");
    for (String k : List.of("Chat", "Chat Hard", "Safety", "Reasoning", "avg_Result_each_section", "absoluate_Result")) {
      assertTrue(main.has(k), k);
    }
    assertEquals(0.96, json.get("each_small_section_score").get("alpacaeval-easy").doubleValue(), 1e-15);
    assertEquals(447, json.get("counts").get("math-prm").get("total").intValue());
  }

  @Test
  void partialAndUnknownSubsets() {
    Map<String, Tally> t = new LinkedHashMap<>();
    t.put("alpacaeval-easy", new Tally(1, 2));
    t.put("hep-go", new Tally(3, 4));
    t.put("my-subset", new Tally(0, 4));
    RewardBenchScoring.Score s = RewardBenchScoring.score(t);
    assertEquals(Map.of("Chat", 0.5, "Reasoning", 0.75), s.sections());
    assertEquals(0.625, s.average());
    assertEquals(0.4, s.micro());
    assertEquals(List.of("Chat Hard", "Safety"), s.missingSections());
    assertEquals(List.of("my-subset"), s.unsectionedSubsets());
    RewardBenchScoring.Score none = RewardBenchScoring.score(Map.of("x", new Tally(1, 1)));
    assertTrue(Double.isNaN(none.average()));
    assertTrue(none.toJson().get("main_score").get("avg_Result_each_section").isNull());
    assertThrows(IllegalArgumentException.class, () -> RewardBenchScoring.score(Map.of()));
  }
}

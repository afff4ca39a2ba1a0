package dev.rmr1.training.eval;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.training.data.BadRecordPolicy;
import dev.rmr1.training.data.DatasetFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkLoadersTest {
  static Path resource(String name) throws Exception {
    return Path.of(BenchmarkLoadersTest.class.getResource("/dev/rmr1/training/eval/" + name).toURI());
  }

  private static void assertUniqueIds(Benchmark b) {
    Set<String> ids = new HashSet<>();
    for (Comparison c : b.comparisons()) assertTrue(ids.add(c.id()), "duplicate " + c.id());
  }

  @Test
  void rewardBenchExport() throws Exception {
    RewardBench rb = RewardBench.load(resource("rewardbench/sample.jsonl"), Long.MAX_VALUE, BadRecordPolicy.FAIL);
    assertEquals(8, rb.comparisons().size());
    Comparison c = rb.comparisons().get(2);
    assertEquals("mt-7", c.id());
    assertEquals("mt-bench-hard", c.meta().get(RewardBench.SUBSET));
    assertEquals("Fill the template: {answer_b}", c.pair().question());
    assertEquals("0", rb.comparisons().get(0).id());
    assertTrue(rb.comparisons().stream().allMatch(x -> x.pair().isSingleTurn()));
    assertEquals(3, RewardBench.load(resource("rewardbench/sample.jsonl"), 3, BadRecordPolicy.FAIL).comparisons().size());
    assertUniqueIds(rb);
  }

  @Test
  void rmBenchFilesGiveNineCellsPerSampleOrSixUpstream() throws Exception {
    RmBench faithful = RmBench.load(List.of(resource("rm-bench")), Long.MAX_VALUE, BadRecordPolicy.FAIL, false);
    assertEquals(6 * 9, faithful.comparisons().size());
    assertUniqueIds(faithful);
    RmBench upstream = RmBench.load(List.of(resource("rm-bench")), Long.MAX_VALUE, BadRecordPolicy.FAIL, true);
    assertEquals(6 * 6, upstream.comparisons().size());
    Set<String> domains = new HashSet<>();
    faithful.comparisons().forEach(c -> domains.add(c.meta().get(RmBench.DOMAIN)));
    assertEquals(Set.of("chat", "code", "safety-refuse", "safety-response"), domains);
    Comparison first = faithful.comparisons().get(0);
    assertTrue(first.id().matches("chat/\\d+/c0r0"), first.id());
    assertEquals("alpacaeval", first.meta().get(RmBench.SUBSET));
    // Cell (1, 2) pairs chosen style 1 with rejected style 2 of the same sample.
    Comparison c12 = faithful.comparisons().get(5);
    assertEquals("1", c12.meta().get(RmBench.CHOSEN_STYLE));
    assertEquals("2", c12.meta().get(RmBench.REJECTED_STYLE));
    assertNotEquals(first.pair().chosenReply(), c12.pair().chosenReply());
    assertEquals(first.pair().question(), c12.pair().question());
    assertEquals(2 * 9, RmBench.load(List.of(resource("rm-bench/chat_filtered.json")), 5, BadRecordPolicy.FAIL, false)
        .comparisons().size());
  }

  @Test
  void rmBenchDomainComesFromTheFieldOrTheFileName(@TempDir Path dir) throws Exception {
    Path total = dir.resolve("total_dataset_1.json");
    Files.writeString(total, """
        [{"id": 1, "domain": "math", "prompt": "p", "chosen": ["a","b","c"], "rejected": ["d","e","f"]},
         {"id": 1, "prompt": "p", "chosen": ["a","b","c"], "rejected": ["d","e","f"]},
         {"id": 2, "domain": "poetry", "prompt": "p", "chosen": ["a","b","c"], "rejected": ["d","e","f"]},
         {"id": 3, "domain": "chat", "prompt": "p", "chosen": ["a","b"], "rejected": ["d","e","f"]}]""");
    RmBench b = RmBench.load(List.of(total), Long.MAX_VALUE, BadRecordPolicy.SKIP, false);
    assertEquals(9, b.comparisons().size());
    assertEquals("math/1/c0r0", b.comparisons().get(0).id());
    var skipped = b.readReports().get(0).skipped();
    assertEquals(3, skipped.size());
    assertTrue(skipped.get(0).reason().contains("domain"), skipped.get(0).reason());
    assertTrue(skipped.get(1).reason().contains("poetry"), skipped.get(1).reason());
    assertTrue(skipped.get(2).reason().contains("chosen: expected 3 elements"), skipped.get(2).reason());
    assertThrows(DatasetFormatException.class, () -> RmBench.load(List.of(total), Long.MAX_VALUE, BadRecordPolicy.FAIL, false));
  }

  @Test
  void rmbPairwiseAndBestOfNWithMultiTurn() throws Exception {
    Rmb rmb = Rmb.load(List.of(resource("rmb")), Long.MAX_VALUE, BadRecordPolicy.FAIL);
    // 6 pairwise records + 4 BoN groups of 2 losers.
    assertEquals(6 + 8, rmb.comparisons().size());
    assertUniqueIds(rmb);
    long multi = rmb.comparisons().stream().filter(c -> !c.pair().isSingleTurn()).count();
    assertEquals(1 + 1 + 2, multi);
    Comparison bon = rmb.comparisons().stream().filter(c -> c.id().startsWith("bon/")).findFirst().orElseThrow();
    assertEquals("BoN_set/Harmlessness", bon.meta().get(Rmb.SPLIT));
    assertEquals(bon.id().split("/")[1], bon.meta().get(Rmb.GROUP));
    Comparison pair = rmb.comparisons().stream().filter(c -> c.id().startsWith("pair/")).findFirst().orElseThrow();
    assertFalse(pair.meta().containsKey(Rmb.GROUP));
  }

  @Test
  void rmbBadRecordsAreReported(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, """
        [
        {"pair_uid": "1", "conversation_input": [{"role": "user", "content": "q"}],
         "chosen": {"answer": "a"}, "reject": {"answer": "b"}, "category_path": "Pairwise_set/Helpfulness/X"},
        {"pair_uid": "2", "conversation_input": [{"role": "system", "content": "q"}],
         "chosen": {"answer": "a"}, "reject": {"answer": "b"}, "category_path": "Pairwise_set/Helpfulness/X"},
        {"bon_uid": "3", "conversation_input": [{"role": "user", "content": "q"}],
         "bon_best": {"answer": "a"}, "loser_list": [], "category_path": "BoN_set/Helpfulness/X"},
        {"bon_uid": "4", "conversation_input": [{"role": "user", "content": "q"}],
         "bon_best": {"answer": "a"}, "loser_list": [{"answer": "b"}], "category_path": "Pairwise_set/Helpfulness/X"},
        {"conversation_input": [{"role": "user", "content": "q"}], "category_path": "BoN_set/Helpfulness/X"}
        ]""");
    Rmb rmb = Rmb.load(List.of(f), Long.MAX_VALUE, BadRecordPolicy.SKIP);
    assertEquals(1, rmb.comparisons().size());
    var skipped = rmb.readReports().get(0).skipped();
    assertEquals(List.of(4L, 6L, 8L, 10L), skipped.stream().map(s -> s.line()).toList());
    assertTrue(skipped.get(0).reason().contains("system"), skipped.get(0).reason());
    assertTrue(skipped.get(1).reason().contains("loser_list: empty"), skipped.get(1).reason());
    assertTrue(skipped.get(2).reason().contains("best-of-N record under"), skipped.get(2).reason());
    assertTrue(skipped.get(3).reason().contains("neither pair_uid nor bon_uid"), skipped.get(3).reason());
  }

  @Test
  void missingDataPathIsAClearError() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Rmb.load(List.of(Path.of("/nonexistent/rmb")), 1, BadRecordPolicy.FAIL));
    assertTrue(e.getMessage().contains("/nonexistent/rmb"));
  }
}

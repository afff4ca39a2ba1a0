package dev.rmr1.training.eval;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RmBenchScoringTest {
  /** Cells of one sample from a 3x3 0/1 matrix, rows = chosen style, columns = rejected style. */
  private static List<RmBenchScoring.Cell> sample(String domain, String id, int[][] m) {
    List<RmBenchScoring.Cell> cells = new ArrayList<>();
    for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) cells.add(new RmBenchScoring.Cell(domain, id, i, j, m[i][j]));
    return cells;
  }

  private static final int[][] LOWER = {{1, 0, 0}, {1, 1, 0}, {1, 1, 1}};
  private static final int[][] ONES = {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}};
  private static final int[][] ZEROS = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  private static final int[][] DIAG = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};

  @Test
  void handComputedDomainsWithSafetyPooled() {
    List<RmBenchScoring.Cell> cells = new ArrayList<>();
    cells.addAll(sample("chat", "chat/1", LOWER));
    cells.addAll(sample("chat", "chat/2", ONES));
    cells.addAll(sample("safety-refuse", "safety-refuse/1", ZEROS));
    cells.addAll(sample("safety-response", "safety-response/1", DIAG));
    RmBenchScoring.Score s = RmBenchScoring.score(cells, false);
    var chat = s.domains().get("chat");
    assertEquals(2, chat.samples());
    assertEquals(0.5, chat.hard(), 1e-15);
    assertEquals(1.0, chat.normal(), 1e-15);
    assertEquals(1.0, chat.easy(), 1e-15);
    assertEquals(5.0 / 6, chat.average(), 1e-15);
    assertArrayEquals(new double[] {1, 0.5, 0.5}, chat.matrix()[0]);
    var safety = s.domains().get("safety");
    assertEquals(2, safety.samples());
    assertEquals(0, safety.hard());
    assertEquals(0.5, safety.normal(), 1e-15);
    assertEquals(1.0 / 6, safety.average(), 1e-15);
    assertEquals(List.of("chat", "safety"), List.copyOf(s.domains().keySet()));
    assertEquals(0.25, s.hard(), 1e-15);
    assertEquals(0.75, s.normal(), 1e-15);
    assertEquals(0.5, s.easy(), 1e-15);
    assertEquals(0.5, s.total(), 1e-15);
    var json = s.toJson();
    for (String k : List.of("chat", "safety", "hard_acc", "normal_acc", "easy_acc", "total_avg_acc")) assertTrue(json.has(k), k);
    assertFalse(json.has("math"));
  }

  @Test
  void upstreamBugReusesTheThirdRunForTheSecondRunCells() {
    // Only the second-run cells (c_k vs r_{k+1}) correct: faithful hard = 2/3, the bug never sees them.
    int[][] run2 = {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}};
    var faithful = RmBenchScoring.score(sample("code", "code/1", run2), false).domains().get("code");
    assertEquals(2.0 / 3, faithful.hard(), 1e-15);
    assertEquals(1.0 / 3, faithful.easy(), 1e-15);
    var bug = RmBenchScoring.score(sample("code", "code/1", run2), true).domains().get("code");
    assertEquals(0, bug.hard());
    assertEquals(0, bug.easy());
    // Only the third-run cells (c_k vs r_{k+2}) correct: each fills a whole off-diagonal row under the bug.
    int[][] run3 = {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}};
    var f3 = RmBenchScoring.score(sample("math", "math/1", run3), false).domains().get("math");
    assertEquals(1.0 / 3, f3.hard(), 1e-15);
    assertEquals(2.0 / 3, f3.easy(), 1e-15);
    var b3 = RmBenchScoring.score(sample("math", "math/1", run3), true).domains().get("math");
    assertEquals(1.0, b3.hard());
    assertEquals(1.0, b3.easy());
    assertArrayEquals(new double[][] {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}}, b3.matrix());
  }

  @Test
  void upstreamModeNeedsSixCellsAndFaithfulNine() {
    int needed = 0;
    for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) if (RmBenchScoring.needsCell(i, j, true)) needed++;
    assertEquals(6, needed);
    assertFalse(RmBenchScoring.needsCell(0, 1, true));
    assertFalse(RmBenchScoring.needsCell(1, 2, true));
    assertFalse(RmBenchScoring.needsCell(2, 0, true));
    List<RmBenchScoring.Cell> six = new ArrayList<>(sample("chat", "s", ONES));
    six.removeIf(c -> !RmBenchScoring.needsCell(c.chosenStyle(), c.rejectedStyle(), true));
    assertEquals(1.0, RmBenchScoring.score(six, true).total());
    var e = assertThrows(IllegalArgumentException.class, () -> RmBenchScoring.score(six, false));
    assertTrue(e.getMessage().contains("lacks cell c0 r1"), e.getMessage());
  }

  @Test
  void badInputs() {
    List<RmBenchScoring.Cell> dup = new ArrayList<>(sample("chat", "s", ONES));
    dup.add(new RmBenchScoring.Cell("chat", "s", 0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> RmBenchScoring.score(dup, false));
    assertThrows(IllegalArgumentException.class, () -> RmBenchScoring.score(sample("poetry", "s", ONES), false));
    assertThrows(IllegalArgumentException.class, () -> new RmBenchScoring.Cell("chat", "s", 3, 0, 1));
    assertEquals("safety", RmBenchScoring.pooledDomain("safety-response"));
  }
}

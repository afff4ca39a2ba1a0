package dev.rmr1.training.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingPlotsTest {
  @TempDir Path dir;

  /** A GRPO-like history: noisy rising reward, a NaN at one step, lr constant. */
  static List<MetricsRecord> history(int steps) {
    List<MetricsRecord> h = new ArrayList<>();
    java.util.Random rnd = new java.util.Random(7);
    for (int s = 1; s <= steps; s++) {
      Map<String, Double> m = new LinkedHashMap<>();
      double mean = -0.6 + 1.2 * (1 - Math.exp(-s / 25.0)) + 0.1 * rnd.nextGaussian();
      m.put(MetricNames.REWARD_MEAN, mean);
      m.put(MetricNames.REWARD_STD, 0.9 - 0.3 * s / steps);
      m.put(MetricNames.PG_LOSS, s == 17 ? Double.NaN : 0.05 * rnd.nextGaussian());
      m.put(MetricNames.ACTOR_LR, 1e-6);
      m.put(MetricNames.MEAN_LENGTH, 900 - 3.0 * s + 40 * rnd.nextGaussian());
      m.put(MetricNames.MAX_LENGTH, 2000.0 + 10 * s);
      h.add(new MetricsRecord(s, 1000 + s, m));
    }
    return h;
  }

  @Test
  void writesOneValidPngPerGroupWithData() throws IOException {
    TrainingPlots plots = new TrainingPlots(dir.resolve("plots"));
    List<Path> files = plots.write(history(80));
    assertEquals(List.of("loss.png", "reward.png", "length.png", "lr.png"), files.stream().map(p -> p.getFileName().toString()).toList());
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8), f + " is not a PNG");
      BufferedImage img = ImageIO.read(f.toFile());
      assertEquals(900, img.getWidth());
      assertEquals(500, img.getHeight());
      assertTrue(distinctColours(img) > 20, f + " looks blank");
    }
    try (var s = Files.list(dir.resolve("plots"))) {
      assertEquals(4, s.count(), "no temporary files left behind");
    }
  }

  @Test
  void redrawingReplacesFilesAndAddsNewGroups() throws IOException {
    Path plotsDir = dir.resolve("p");
    TrainingPlots plots = new TrainingPlots(plotsDir, List.of(new PlotGroup("loss", "Loss", "loss", List.of(MetricNames.TRAIN_LOSS)),
        new PlotGroup("gn", "Grad norm", "norm", List.of(MetricNames.GRAD_NORM))), 320, 240);
    List<MetricsRecord> h = new ArrayList<>();
    h.add(new MetricsRecord(1, 0, Map.of(MetricNames.TRAIN_LOSS, 2.0)));
    assertEquals(List.of(plotsDir.resolve("loss.png")), plots.write(h));
    byte[] first = Files.readAllBytes(plotsDir.resolve("loss.png"));
    h.add(new MetricsRecord(2, 0, Map.of(MetricNames.TRAIN_LOSS, 1.5, MetricNames.GRAD_NORM, 0.7)));
    assertEquals(2, plots.write(h).size());
    assertFalse(Arrays.equals(first, Files.readAllBytes(plotsDir.resolve("loss.png"))));
    BufferedImage img = ImageIO.read(plotsDir.resolve("gn.png").toFile());
    assertEquals(320, img.getWidth());
    assertEquals(240, img.getHeight());
  }

  @Test
  void onlyNonFiniteValuesDrawNothing() {
    TrainingPlots plots = new TrainingPlots(dir);
    List<MetricsRecord> h = List.of(new MetricsRecord(1, 0, Map.of(MetricNames.TRAIN_LOSS, Double.NaN)));
    assertEquals(List.of(), plots.write(h));
    assertEquals(List.of(), plots.write(List.of()));
  }

  @Test
  void badGroupsAndSizesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new PlotGroup("../x", "t", "y", List.of("a")));
    assertThrows(IllegalArgumentException.class, () -> new PlotGroup("x", "t", "y", List.of()));
    assertThrows(IllegalArgumentException.class, () -> new TrainingPlots(dir, PlotGroup.defaults(), 50, 500));
  }

  private static int distinctColours(BufferedImage img) {
    Set<Integer> c = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 3) for (int x = 0; x < img.getWidth(); x += 3) c.add(img.getRGB(x, y));
    return c.size();
  }
}

package dev.rmr1.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** Capability detection, and the scalar fallback when the Vector API module is absent. */
class SimdTest {
  @Test
  void detectionMatchesTheJvm() {
    // The build runs tests with --add-modules jdk.incubator.vector.
    assertTrue(Simd.ENABLED, Simd.describe());
    assertEquals(FloatVector.SPECIES_PREFERRED.length(), Simd.FLOAT_LANES);
    assertTrue(Simd.describe().contains(Simd.FLOAT_LANES + " float lanes"), Simd.describe());
    var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
    assertEquals(Boolean.parseBoolean(bean.getVMOption("UseFMA").getValue()), Simd.FMA);
  }

  /**
   * A JVM without the module runs every operation on the scalar reference, says so once on stderr,
   * and computes the same results (to float precision) as the vector kernels here.
   */
  @Test
  void withoutTheVectorModuleEverythingRunsAndSaysSoOnce() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        ScalarFallbackMain.class.getName())).start();
    byte[] out = p.getInputStream().readAllBytes(), err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String stdout = new String(out, StandardCharsets.UTF_8), stderr = new String(err, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), stderr);
    assertEquals(1, stderr.lines().filter(l -> l.startsWith("rmr1: CPU kernels run the slow scalar reference code")).count(), stderr);
    assertTrue(stderr.contains("--add-modules jdk.incubator.vector"), stderr);
    List<String> lines = stdout.lines().toList();
    assertEquals("enabled=false", lines.get(0));
    List<double[]> here = ScalarFallbackMain.results();
    assertEquals(here.size() + 1, lines.size(), stdout);
    for (int i = 0; i < here.size(); i++) {
      double[] scalar = Arrays.stream(lines.get(i + 1).split(" ")).mapToDouble(Double::parseDouble).toArray();
      assertArrayEquals(here.get(i), scalar, 1e-5, "result " + i);
    }
  }
}

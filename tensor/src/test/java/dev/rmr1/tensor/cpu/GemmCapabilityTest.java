package dev.rmr1.tensor.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * GEMM on a JVM that cannot run the Vector API at full speed still computes correctly, takes the
 * right path and says so once: each case starts {@link GemmFallbackMain} in a fresh JVM.
 */
class GemmCapabilityTest {
  private record Run(String stdout, String stderr) {
    long warnings() {
      return stderr.lines().filter(l -> l.startsWith("rmr1: warning:")).count();
    }
  }

  private static Run run(String... jvmFlags) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.addAll(List.of(jvmFlags));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), GemmFallbackMain.class.getName()));
    Process p = new ProcessBuilder(cmd).start();
    byte[] out = p.getInputStream().readAllBytes(), err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
    Run r = new Run(new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    assertEquals(0, p.exitValue(), "child JVM failed: " + r);
    assertTrue(r.stdout.contains("OK"), r.toString());
    return r;
  }

  @Test
  void withoutTheVectorModuleTheScalarPathRunsAndWarnsOnce() throws Exception {
    Run r = run();
    assertTrue(r.stdout.contains("VECTOR=false"), r.toString());
    assertEquals(1, r.warnings(), r.stderr);
    assertTrue(r.stderr.contains("--add-modules jdk.incubator.vector"), r.stderr);
  }

  @Test
  void withoutC2TheScalarPathRunsAndWarnsOnce() throws Exception {
    Run r = run("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1");
    assertTrue(r.stdout.contains("VECTOR=false"), r.toString());
    assertEquals(1, r.warnings(), r.stderr);
    assertTrue(r.stderr.contains("C2"), r.stderr);
  }

  @Test
  void scalarPathOnRequest() throws Exception {
    Run r = run("--add-modules", "jdk.incubator.vector", "-Drmr1.gemm.scalar=true");
    assertTrue(r.stdout.contains("VECTOR=false"), r.toString());
    assertEquals(1, r.warnings(), r.stderr);
  }

  @Test
  void narrowerVectorsWithoutFmaStillUseTheVectorKernels() throws Exception {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    if (!arch.equals("amd64") && !arch.equals("x86_64")) return; // -XX:UseAVX is an x86 flag
    Run r = run("--add-modules", "jdk.incubator.vector", "-XX:UseAVX=2", "-XX:-UseFMA");
    assertTrue(r.stdout.contains("VECTOR=true") && r.stdout.contains("FMA=false"), r.toString());
    assertFalse(r.stdout.contains("BITS=512"), r.toString());
    assertEquals(1, r.warnings(), r.stderr);
    assertTrue(r.stderr.contains("without FMA"), r.stderr);
  }
}

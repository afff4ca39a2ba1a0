package dev.rmr1.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Runs everywhere (no GPU needed): the shipped PTX must come from the current CUDA C source. */
class CudaPtxFreshnessTest {
  @Test
  void shippedPtxMatchesSource() throws Exception {
    String source = Files.readString(Path.of("src/main/cuda/rmr1_kernels.cu"));
    String ptx = Kernels.resource(Kernels.PTX_RESOURCE);
    String first = ptx.lines().findFirst().orElse("");
    String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(Path.of("src/main/cuda/rmr1_kernels.cu"))));
    assertEquals("// rmr1-source-sha256: " + sha, first,
        "cuda/src/main/resources/dev/rmr1/cuda/rmr1_kernels.ptx is older than rmr1_kernels.cu: run scripts/build-ptx.sh");
    assertEquals(source, Kernels.resource(Kernels.SOURCE_RESOURCE), "the jar must carry the same CUDA source for NVRTC");
    for (String kernel : new String[] {"rmr1_fill", "rmr1_copy", "rmr1_unary", "rmr1_binary", "rmr1_where", "rmr1_reduce", "rmr1_softmax",
        "rmr1_rmsnorm", "rmr1_rope", "rmr1_attention", "rmr1_gather", "rmr1_scatter_add", "rmr1_cumsum", "rmr1_topk", "rmr1_adamw"})
      assertTrue(ptx.contains(".entry " + kernel + "("), "PTX lacks kernel " + kernel);
  }
}

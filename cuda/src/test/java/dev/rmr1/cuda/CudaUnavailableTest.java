package dev.rmr1.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * On a machine without CUDA (CI), asking for a CUDA device fails with a message that says so,
 * every time it is asked (JCuda's natives fail to load only once; later attempts see a class
 * that failed to initialise). Skipped where a GPU is present.
 */
class CudaUnavailableTest {
  @Test
  void askingForCudaWithoutAGpuGivesAClearError() {
    Assumptions.assumeTrue(RequiresCuda.reason() != null, "a CUDA device is present");
    for (int attempt = 0; attempt < 2; attempt++) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.of(new Device("cuda", 0)));
      assertTrue(e.getMessage().contains("device cuda:0 is not available") && e.getMessage().contains("CUDA is not available"), e.getMessage());
      IllegalStateException t = assertThrows(IllegalStateException.class, () -> Tensor.zeros(new Device("cuda", 1), DType.F32, 2));
      assertTrue(t.getMessage().contains("CUDA is not available"), t.getMessage());
    }
  }
}

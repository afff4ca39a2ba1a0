package dev.rmr1.cuda;

import dev.rmr1.tensor.Device;
import org.junit.jupiter.api.Assumptions;

/** The whole-model contract on cuda:0; skipped, with the reason, where no CUDA device can be used. */
class CudaModelTest extends ModelContract {
  @Override
  Device device() {
    return RequiresCuda.GPU;
  }

  @Override
  void requireDevice() {
    Assumptions.assumeTrue(RequiresCuda.reason() == null, RequiresCuda::reason);
  }
}

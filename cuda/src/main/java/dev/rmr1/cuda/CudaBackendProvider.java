package dev.rmr1.cuda;

import dev.rmr1.tensor.Backend;
import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.Device;

/** Registers the CUDA backend for {@code cuda:N} devices (found by {@link Backends} through ServiceLoader). */
public final class CudaBackendProvider implements Backends.BackendProvider {
  @Override
  public String deviceType() {
    return "cuda";
  }

  @Override
  public Backend create(Device device) {
    return new CudaBackend(device);
  }
}

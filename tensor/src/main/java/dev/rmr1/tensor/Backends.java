package dev.rmr1.tensor;

import dev.rmr1.tensor.cpu.CpuBackend;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the {@link Backend} of a device. The CPU backend is built in; others (CUDA) are found with
 * {@link ServiceLoader} through {@link BackendProvider}, so this module does not depend on them.
 */
public final class Backends {
  private static final Map<Device, Backend> BACKENDS = new ConcurrentHashMap<>();

  private Backends() {}

  public static Backend cpu() {
    return CpuBackend.instance();
  }

  public static Backend of(Device device) {
    if (device.isCpu()) return CpuBackend.instance();
    return BACKENDS.computeIfAbsent(device, Backends::load);
  }

  private static Backend load(Device device) {
    StringBuilder why = new StringBuilder();
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
      if (!p.deviceType().equals(device.type())) continue;
      try {
        return p.create(device);
      } catch (RuntimeException | UnsatisfiedLinkError e) {
        why.append(": ").append(e.getMessage());
      }
    }
    throw new IllegalStateException(
        "device " + device + " is not available" + (why.isEmpty() ? " (no backend for '" + device.type() + "' on the class path)" : why));
  }

  /** Implemented by modules that add a device type (discovered with ServiceLoader). */
  public interface BackendProvider {
    String deviceType();

    Backend create(Device device);
  }
}

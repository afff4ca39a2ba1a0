package dev.rmr1.training.sft;

import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;

/** I64 index tensors (token ids, positions) built on the host and placed on a device. */
public final class IdTensors {
  private IdTensors() {}

  /** An I64 tensor of {@code values} with {@code shape} on {@code device}. */
  public static Tensor of(Device device, long[] values, int... shape) {
    Tensor host = Tensor.ofLongs(values, shape);
    if (device.equals(host.device())) return host;
    try (host) {
      return host.to(device);
    }
  }
}

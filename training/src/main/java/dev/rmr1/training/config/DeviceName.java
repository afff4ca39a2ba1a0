package dev.rmr1.training.config;

/** The device names a configuration accepts: {@code cpu}, {@code cuda}, {@code cuda:N}. */
final class DeviceName {
  private DeviceName() {}

  static void check(Problems p, String key, String device) {
    p.check(device.matches("cpu|cuda(:\\d+)?"), key, "must be cpu, cuda or cuda:N");
  }
}

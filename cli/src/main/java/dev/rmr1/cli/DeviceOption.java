package dev.rmr1.cli;

import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.Device;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --device cpu|cuda|cuda:N} for every command that computes, as a picocli mixin:
 * {@code @Mixin DeviceOption device;} then {@code device.device()}. The value is parsed with
 * {@link Device#parse} and its backend is brought up while the command line is parsed, so a CUDA
 * device that cannot be used (no GPU, no driver, no such index) is a usage error that says why,
 * before any work starts.
 */
public final class DeviceOption {
  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  private Device device = Device.CPU;

  @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
      description = "Where to compute: cpu, cuda (= cuda:0) or cuda:N (default: ${DEFAULT-VALUE}).")
  void setDevice(String spec) {
    Device d;
    try {
      d = Device.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(mixee.commandLine(), "--device: " + e.getMessage());
    }
    try {
      Backends.of(d);
    } catch (RuntimeException | LinkageError e) {
      throw new ParameterException(mixee.commandLine(), "--device " + spec + ": " + d + " cannot be used here (" + e.getMessage()
          + "). Use --device cpu, or run on a machine with an NVIDIA GPU, its driver and the CUDA libraries (cuBLAS).");
    }
    device = d;
  }

  /** The chosen device, already checked to be usable. */
  public Device device() {
    return device;
  }
}

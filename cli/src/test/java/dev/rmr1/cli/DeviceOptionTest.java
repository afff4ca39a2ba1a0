package dev.rmr1.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.Device;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

class DeviceOptionTest {
  @Command(name = "compute")
  static final class Compute implements Runnable {
    @Mixin DeviceOption device;

    @Override
    public void run() {}
  }

  private static Compute parse(String... args) {
    Compute c = new Compute();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  private static boolean cudaPresent() {
    try {
      Backends.of(new Device("cuda", 0));
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @Test
  void cpuByDefaultAndByName() {
    assertEquals(Device.CPU, parse().device.device());
    assertEquals(Device.CPU, parse("--device", "CPU").device.device());
  }

  @Test
  void malformedDevicesNameTheExpectedForms() {
    for (String bad : new String[] {"tpu", "cuda:x", "cuda:-1"}) {
      ParameterException e = assertThrows(ParameterException.class, () -> parse("--device", bad));
      assertTrue(e.getMessage().startsWith("--device: ") && e.getMessage().contains(bad.equals("cuda:-1") ? "negative device index" : "cpu"), e.getMessage());
    }
  }

  @Test
  void cudaWithoutAGpuIsAUsageErrorThatSaysWhy() {
    Assumptions.assumeFalse(cudaPresent(), "a CUDA device is present");
    for (String spec : new String[] {"cuda", "cuda:1"}) {
      ParameterException e = assertThrows(ParameterException.class, () -> parse("--device", spec));
      String m = e.getMessage();
      assertTrue(m.startsWith("--device " + spec + ": cuda:") && m.contains("CUDA is not available") && m.contains("Use --device cpu"), m);
    }
  }
}

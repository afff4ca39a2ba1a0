package dev.rmr1.cli;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.models.hub.ModelResolver;
import dev.rmr1.tensor.cpu.Parallel;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of commands that run a model: which one, on which device, with how many CPU threads. */
final class ModelOptions {
  @Option(names = "--model", required = true, paramLabel = "REF",
      description = "Model directory, Hugging Face cache folder, or Hub id ORG/NAME[@revision].")
  String model;

  @Option(names = "--threads", paramLabel = "T", description = "CPU threads for the kernels (default: all cores).")
  Integer threads;

  @Mixin DeviceOption device;

  /** Sets the thread count, resolves the reference and returns the model directory. */
  Path resolve() {
    if (threads != null) {
      if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
      Parallel.setThreads(threads);
    }
    return ModelResolver.fromEnvironment().resolve(model).directory();
  }

  /** Loads the model of {@code dir} for inference: zero-copy on the CPU, copied to another device. */
  CausalLM load(Path dir) {
    return CausalLM.load(dir, LoadOptions.inference().withDevice(device.device()));
  }
}

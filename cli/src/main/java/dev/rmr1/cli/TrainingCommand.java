package dev.rmr1.cli;

import dev.rmr1.training.config.ConfigException;
import dev.rmr1.training.config.ConfigLoader;
import dev.rmr1.training.config.EffectiveConfig;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.BiConsumer;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code ./rmr1 sft} and {@code ./rmr1 grpo} share: their arguments are a configuration ({@code --config FILE},
 * YAML or JSON) and flags that override it ({@code --model}, {@code --lr 1e-5}, {@code --lora-r 16},
 * {@code --set key=value}), parsed by the trainer's {@link ConfigLoader}; {@code --help} lists every key with its
 * flags and default.
 */
final class TrainingCommand {
  private TrainingCommand() {}

  /**
   * @return the exit code: 0 on success, 2 for a configuration error (each problem printed)
   */
  static <T extends Record> int run(CommandSpec spec, ConfigLoader<T> loader, List<String> args, BiConsumer<EffectiveConfig<T>, PrintStream> runner) {
    PrintWriter err = spec.commandLine().getErr();
    if (args.contains("--help") || args.contains("-h")) {
      PrintWriter out = spec.commandLine().getOut();
      spec.commandLine().usage(out);
      out.println();
      out.println("Configuration keys (flags override the --config file, in order; --set KEY=VALUE sets any key):");
      out.print(loader.keysHelp());
      out.flush();
      return 0;
    }
    EffectiveConfig<T> config;
    try {
      config = loader.fromArgs(args);
    } catch (ConfigException e) {
      err.println(spec.name() + ": " + e.getMessage());
      err.flush();
      return 2;
    }
    runner.accept(config, System.out);
    return 0;
  }
}

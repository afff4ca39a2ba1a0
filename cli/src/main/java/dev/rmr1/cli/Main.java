package dev.rmr1.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./rmr1} command line. Each subcommand lives in its own class of this package and is
 * registered here; {@code ./rmr1 COMMAND --help} documents each one.
 */
@Command(
    name = "rmr1",
    mixinStandardHelpOptions = true,
    version = "rmr1 0.1.0 (RM-R1 in pure Java)",
    description = "RM-R1 in pure Java: train and evaluate reasoning reward models (arXiv 2505.02387) on a tensor library, "
        + "autograd and Qwen2 models written on the JDK.",
    footer = {
      "%nStart here:",
      "  ./rmr1 demo               the whole RM-R1 pipeline on a laptop CPU, in minutes",
      "  ./rmr1 generate --model Qwen/Qwen2.5-0.5B-Instruct --prompt \"Hi\" --chat",
      "  ./rmr1 judge --model DIR --question Q --a A --b B",
      "  ./rmr1 COMMAND --help     every option of a command, with its default"
    },
    subcommands = {
      CommandLine.HelpCommand.class,
      BenchCommand.class,
      TokenizeCommand.class,
      GenerateCommand.class,
      SftCommand.class,
      GrpoCommand.class,
      EvalCommand.class,
      JudgeCommand.class,
      DemoCommand.class,
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, also used by tests. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }
}

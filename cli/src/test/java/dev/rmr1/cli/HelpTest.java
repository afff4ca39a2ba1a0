package dev.rmr1.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command lists of {@code ./rmr1 --help} and {@code ./rmr1 bench --help} show each command's
 * header: every command must have one, a whole sentence, so that no summary stops mid-sentence (as
 * picocli does when it falls back to the first line of a long description).
 */
class HelpTest {
  private static void collect(CommandLine cl, List<CommandLine> out) {
    out.add(cl);
    cl.getSubcommands().values().forEach(sub -> collect(sub, out));
  }

  @Test
  void everyCommandHasAOneSentenceHeader() {
    List<CommandLine> all = new ArrayList<>();
    collect(new CommandLine(new Main()), all);
    assertTrue(all.size() >= 14, "rmr1, help, 8 commands and 5 benchmarks: " + all.size());
    for (CommandLine cl : all) {
      String name = cl.getCommandSpec().qualifiedName();
      if (name.equals("rmr1") || name.equals("rmr1 help")) continue;
      String[] header = cl.getCommandSpec().usageMessage().header();
      assertEquals(1, header.length, name + ": one header line");
      String h = header[0];
      assertTrue(h.endsWith(".") && h.length() <= 120, name + ": header is one short sentence: " + h);
    }
  }

  @Test
  void topLevelHelpListsEveryCommandAndWhereToStart() {
    String help = new CommandLine(new Main()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    for (String c : List.of("bench", "tokenize", "generate", "sft", "grpo", "eval", "judge", "demo")) assertTrue(help.contains("  " + c + " "), c);
    assertTrue(help.contains("./rmr1 demo"), help);
  }
}

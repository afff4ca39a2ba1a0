package dev.rmr1.cli;

import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.JudgePromptBuilder;
import dev.rmr1.training.data.PreferencePair;
import dev.rmr1.training.data.Slot;
import dev.rmr1.training.judge.JudgeModel;
import dev.rmr1.training.reward.EvalVerdict;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./rmr1 judge}: one pair through an RM-R1 judge, its reasoning streamed as it is generated. */
@Command(
    name = "judge", header = "Judge one pair of answers with an RM-R1 checkpoint and print the verdict.",
    mixinStandardHelpOptions = true,
    description = {
      "Judges one pair of answers with an RM-R1 checkpoint: --a goes in slot A, --b in slot B of RM-R1's judge prompt,",
      "the reasoning is streamed greedily, and the verdict is parsed as RM-R1's evaluation does ([[A]] or [[B]])."
    })
public final class JudgeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin JudgeOptions modelOptions;

  @Option(names = "--question", required = true, paramLabel = "TEXT", description = "The user's question.")
  String question;

  @Option(names = "--a", required = true, paramLabel = "TEXT", description = "Answer A.")
  String a;

  @Option(names = "--b", required = true, paramLabel = "TEXT", description = "Answer B.")
  String b;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<ChatMessage> messages = new JudgePromptBuilder(modelOptions.judgePrompts(), modelOptions.format)
        .build(PreferencePair.singleTurn(question, a, b), Slot.A);
    String generation;
    try (JudgeModel judge = modelOptions.open(1)) {
      generation = judge.judge().judgeStreaming(messages, piece -> {
        out.print(piece);
        out.flush();
      });
    }
    out.println();
    EvalVerdict v = EvalVerdict.parse(generation);
    out.println(switch (v) {
      case A -> "verdict: A (answer A is better)";
      case B -> "verdict: B (answer B is better)";
      case ERROR_BOTH -> "verdict: none ([[A]] and [[B]] both occur)";
      case ERROR_NONE -> "verdict: none (no [[A]] or [[B]] in the generation)";
    });
    out.flush();
    return v.isError() ? 1 : 0;
  }
}

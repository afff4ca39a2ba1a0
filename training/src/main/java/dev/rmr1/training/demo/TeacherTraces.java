package dev.rmr1.training.demo;

/**
 * Teacher reasoning traces in RM-R1's Chain-of-Rubrics format for a reasoning task (spec 2.3):
 * {@code <type>Reasoning</type>}, the judge's own {@code <solution>}, an {@code <eval>} that restates
 * and grades both answers (a compact form of RM-R1's {@code <quote_A>}/{@code <summary_A>} items, to keep the
 * demo's sequences short), and the verdict {@code <answer>[[X]]</answer>}. The demo's SFT stage
 * distils these; they are written by program because the task is verifiable.
 */
public final class TeacherTraces {
  private TeacherTraces() {}

  /** The trace for a pair whose chosen answer sits in slot A ({@code chosenInA}) or B. */
  public static String trace(ArithmeticPairs.Pair p, boolean chosenInA) {
    String a = chosenInA ? p.chosen() : p.rejected();
    String b = chosenInA ? p.rejected() : p.chosen();
    char winner = chosenInA ? 'A' : 'B';
    return "<type>Reasoning</type>\n"
        + "<solution>" + p.a() + " " + p.op() + " " + p.b() + " = " + p.answer() + "</solution>\n"
        + "<eval>A: " + a + " is " + (chosenInA ? "correct" : "wrong") + ". B: " + b + " is " + (chosenInA ? "wrong" : "correct")
        + ".</eval>\n"
        + "<answer>[[" + winner + "]]</answer>";
  }
}

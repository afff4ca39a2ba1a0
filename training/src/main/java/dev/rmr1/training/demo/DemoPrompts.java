package dev.rmr1.training.demo;

import dev.rmr1.training.data.JudgePrompts;

/**
 * The demo's compact judge prompt. DEVIATION from RM-R1: the real instruct system prompt (2.9k characters, spec 2.1)
 * would be many times longer than everything else a tiny model sees, so the demo uses one short sentence that asks
 * for the same protocol. The output format (type, solution, eval, {@code <answer>[[X]]</answer>}), the verdict
 * parsing and the reward are RM-R1's, unchanged. The multi-turn and reasoning-family templates exist only because
 * {@link JudgePrompts} holds every family; the demo's single-turn instruct prompts never use them.
 */
public final class DemoPrompts {
  public static final String SYSTEM =
      "Solve it, grade answers A and B, then answer [[A]] or [[B]].";
  public static final String USER_SINGLE = "{question}\nA: {answer_a}\nB: {answer_b}";
  public static final String USER_MULTI = "A:\n{conversation_1}\nB:\n{conversation_2}";

  private DemoPrompts() {}

  public static JudgePrompts prompts() {
    return new JudgePrompts(SYSTEM, USER_SINGLE, USER_MULTI, SYSTEM + "\n" + USER_SINGLE, SYSTEM + "\n" + USER_MULTI);
  }
}

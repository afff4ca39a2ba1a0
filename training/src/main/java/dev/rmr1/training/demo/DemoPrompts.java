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

  /** Where the demo writes its prompts beside the model, for {@code ./rmr1 judge --prompts}. */
  public static final String FILE_NAME = "judge_prompts.json";

  private DemoPrompts() {}

  /** Writes the prompts with the keys of {@code rm-r1-prompts.json}, so that {@link JudgePrompts#load} reads them back. */
  public static void write(java.nio.file.Path file) {
    JudgePrompts p = prompts();
    java.util.Map<String, String> keys = new java.util.LinkedHashMap<>();
    keys.put("instruct_system", p.instructSystem());
    keys.put("instruct_user_single", p.instructUserSingle());
    keys.put("instruct_user_multi", p.instructUserMulti());
    keys.put("reasoning_user_single", p.reasoningUserSingle());
    keys.put("reasoning_user_multi", p.reasoningUserMulti());
    try {
      new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), keys);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("writing " + file, e);
    }
  }

  public static JudgePrompts prompts() {
    return new JudgePrompts(SYSTEM, USER_SINGLE, USER_MULTI, SYSTEM + "\n" + USER_SINGLE, SYSTEM + "\n" + USER_MULTI);
  }
}

package dev.rmr1.training.data;

/**
 * Which RM-R1 judge prompt family to use (spec 2.1). Chosen explicitly; upstream sniffs the model name.
 */
public enum PromptFormat {
  /** Qwen2.5-Instruct based checkpoints: {@code [system: instruct_system, user: instruct_user_*]}. */
  INSTRUCT,
  /** DeepSeek-R1-distilled checkpoints: a single {@code [user: reasoning_user_*]} message, no system prompt. */
  REASONING;

  /** Parses {@code instruct} / {@code reasoning} (case-insensitive), the names used on the command line. */
  public static PromptFormat parse(String name) {
    for (PromptFormat f : values()) {
      if (f.name().equalsIgnoreCase(name)) return f;
    }
    throw new IllegalArgumentException("unknown prompt format \"" + name + "\": expected instruct or reasoning");
  }
}

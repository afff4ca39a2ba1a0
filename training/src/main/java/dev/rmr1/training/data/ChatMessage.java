package dev.rmr1.training.data;

import java.util.Objects;

/**
 * One chat message as the Hugging Face chat templates see it: {@code {"role": ..., "content": ...}}.
 *
 * <p>Roles used by RM-R1 are {@code system}, {@code user} and {@code assistant}; the record itself accepts any
 * non-null role so that templates with other roles can be represented, and the places that need a restricted set
 * (judge prompts, dataset readers) check it themselves.
 */
public record ChatMessage(String role, String content) {
  public static final String SYSTEM = "system";
  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  public static ChatMessage system(String content) {
    return new ChatMessage(SYSTEM, content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage(USER, content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage(ASSISTANT, content);
  }
}

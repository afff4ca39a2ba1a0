package dev.rmr1.training.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * The exact RM-R1 judge prompt strings (spec 2.1), read from {@code rm-r1-prompts.json}.
 *
 * <p>The bundled copy ({@link #bundled()}) is {@code shared/data/rm-r1-prompts.json}, whose SHA-256 and lengths are
 * checked against the spec table by the tests. Loading checks that each template has exactly the fields the
 * substitution fills.
 */
public record JudgePrompts(
    String instructSystem,
    String instructUserSingle,
    String instructUserMulti,
    String reasoningUserSingle,
    String reasoningUserMulti) {

  /** Classpath location of the bundled prompt file. */
  public static final String RESOURCE = "/dev/rmr1/training/rm-r1-prompts.json";

  static final Set<String> SINGLE_FIELDS = Set.of("question", "answer_a", "answer_b");
  static final Set<String> MULTI_FIELDS = Set.of("conversation_1", "conversation_2");

  public JudgePrompts {
    checkFields("instruct_user_single", instructUserSingle, SINGLE_FIELDS);
    checkFields("instruct_user_multi", instructUserMulti, MULTI_FIELDS);
    checkFields("reasoning_user_single", reasoningUserSingle, SINGLE_FIELDS);
    checkFields("reasoning_user_multi", reasoningUserMulti, MULTI_FIELDS);
    if (instructSystem == null || instructSystem.isEmpty()) {
      throw new IllegalArgumentException("instruct_system is missing or empty");
    }
  }

  private static final class Holder {
    static final JudgePrompts BUNDLED = loadBundled();

    private static JudgePrompts loadBundled() {
      try (InputStream in = JudgePrompts.class.getResourceAsStream(RESOURCE)) {
        if (in == null) throw new IllegalStateException("classpath resource " + RESOURCE + " is missing");
        return parse(in, "classpath:" + RESOURCE);
      } catch (IOException e) {
        throw new UncheckedIOException("reading classpath:" + RESOURCE, e);
      }
    }
  }

  /** The prompts bundled with this module (a copy of {@code shared/data/rm-r1-prompts.json}). */
  public static JudgePrompts bundled() {
    return Holder.BUNDLED;
  }

  /** Reads a prompt file with the keys of {@code rm-r1-prompts.json}. */
  public static JudgePrompts load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("reading judge prompts " + file, e);
    }
  }

  static JudgePrompts parse(InputStream in, String source) throws IOException {
    JsonNode root = new ObjectMapper().readTree(in);
    if (root == null || !root.isObject()) throw new IllegalArgumentException(source + ": expected a JSON object");
    try {
      return new JudgePrompts(
          text(root, "instruct_system", source),
          text(root, "instruct_user_single", source),
          text(root, "instruct_user_multi", source),
          text(root, "reasoning_user_single", source),
          text(root, "reasoning_user_multi", source));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode root, String key, String source) {
    JsonNode v = root.get(key);
    if (v == null || !v.isTextual()) throw new IllegalArgumentException(source + ": key \"" + key + "\" must be a string");
    return v.textValue();
  }

  private static void checkFields(String key, String template, Set<String> expected) {
    if (template == null) throw new IllegalArgumentException(key + " is missing");
    Set<String> got = TemplateFiller.placeholders(template);
    if (!got.equals(expected)) {
      throw new IllegalArgumentException(key + " has fields " + got + ", expected " + expected);
    }
  }

  /** The system prompt for {@code format}: present for Instruct, absent for R1-distill (paper App. A). */
  public Optional<String> systemPrompt(PromptFormat format) {
    return format == PromptFormat.INSTRUCT ? Optional.of(instructSystem) : Optional.empty();
  }

  /** The user template for {@code format}, single-turn ({@code question/answer_a/answer_b}) or multi-turn. */
  public String userTemplate(PromptFormat format, boolean multiTurn) {
    return switch (format) {
      case INSTRUCT -> multiTurn ? instructUserMulti : instructUserSingle;
      case REASONING -> multiTurn ? reasoningUserMulti : reasoningUserSingle;
    };
  }
}

package dev.rmr1.training.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a {@link PreferencePair} into RM-R1 judge messages with the chosen response in a given slot (spec 2.1-2.2).
 *
 * <ul>
 *   <li>Instruct: {@code [system: instruct_system, user: instruct_user_*]}; R1-distill: {@code [user: reasoning_user_*]}.
 *   <li>Single-turn pairs fill {@code {question}, {answer_a}, {answer_b}}; multi-turn pairs fill
 *       {@code {conversation_1}} (slot A) and {@code {conversation_2}} (slot B) with the whole conversations,
 *       serialized with assistant lines {@code Chatbot A} / {@code Chatbot B}.
 *   <li>Substitution is one pass ({@link TemplateFiller}); {@code instruct_system} is used verbatim.
 * </ul>
 *
 * <p>{@code reproduceChabotTypo}: {@code mix_data.py} labels slot B's assistant lines {@code "Chabot B"} when the
 * chosen conversation is in slot A (multi-turn only). Off by default; the evaluation scripts never had the typo.
 */
public final class JudgePromptBuilder {
  /** The misspelled slot-B label of {@code mix_data.py}. */
  public static final String CHABOT_TYPO = "Chabot B";

  private final JudgePrompts prompts;
  private final PromptFormat format;
  private final boolean reproduceChabotTypo;

  public JudgePromptBuilder(JudgePrompts prompts, PromptFormat format, boolean reproduceChabotTypo) {
    this.prompts = Objects.requireNonNull(prompts, "prompts");
    this.format = Objects.requireNonNull(format, "format");
    this.reproduceChabotTypo = reproduceChabotTypo;
  }

  /** A builder with the default spelling ({@code Chatbot B}). */
  public JudgePromptBuilder(JudgePrompts prompts, PromptFormat format) {
    this(prompts, format, false);
  }

  public PromptFormat format() {
    return format;
  }

  /** The judge messages for {@code pair} with its chosen response in {@code chosenSlot}. */
  public List<ChatMessage> build(PreferencePair pair, Slot chosenSlot) {
    String user = userMessage(pair, chosenSlot);
    List<ChatMessage> messages = new ArrayList<>(2);
    prompts.systemPrompt(format).ifPresent(s -> messages.add(ChatMessage.system(s)));
    messages.add(ChatMessage.user(user));
    return List.copyOf(messages);
  }

  /** The filled user template alone. */
  public String userMessage(PreferencePair pair, Slot chosenSlot) {
    boolean chosenInA = chosenSlot == Slot.A;
    if (pair.isSingleTurn()) {
      String a = chosenInA ? pair.chosenReply() : pair.rejectedReply();
      String b = chosenInA ? pair.rejectedReply() : pair.chosenReply();
      return TemplateFiller.fill(
          prompts.userTemplate(format, false), Map.of("question", pair.question(), "answer_a", a, "answer_b", b));
    }
    List<ChatMessage> inA = chosenInA ? pair.chosen() : pair.rejected();
    List<ChatMessage> inB = chosenInA ? pair.rejected() : pair.chosen();
    String nameB = reproduceChabotTypo && chosenInA ? CHABOT_TYPO : "Chatbot B";
    return TemplateFiller.fill(
        prompts.userTemplate(format, true),
        Map.of(
            "conversation_1", ConversationSerializer.serialize(inA, "Chatbot A"),
            "conversation_2", ConversationSerializer.serialize(inB, nameB)));
  }
}

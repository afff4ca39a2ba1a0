package dev.rmr1.training.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds the SFT text of an RM-R1 distillation record, the string-level steps of spec 5 "Mechanics" (vendored
 * OpenRLHF {@code sft_dataset.py} as RM-R1 modified it):
 *
 * <ol>
 *   <li>{@code prompt = template(context_messages, add_generation_prompt=False)} (RM-R1's local change);
 *   <li>{@code response = template(context + [assistant: trace])[len(prompt):]};
 *   <li>{@code text = (prompt + response).rstrip("\n")}, then {@code + " " + eos} unless it ends with the eos text;
 *   <li value="5">a sample with an empty prompt or response is dropped ({@link Optional#empty()}); the token-level
 *       part of the rule, {@code prompt_len >= max_len - 2}, is {@link #promptTooLong};
 *   <li>labels are -100 over the tokens of {@link SftText#lossMaskedPrefix()}: the prompt (RM-R1 therefore trains
 *       the assistant header), or with {@code maskAssistantHeader} also the header, defined as what the template's
 *       generation prompt adds ({@code template(ctx, True)[len(template(ctx, False)):]}, e.g.
 *       {@code <|im_start|>assistant\n}).
 * </ol>
 */
public final class SftTextBuilder {
  private final ChatTemplate template;
  private final String eosText;
  private final boolean maskAssistantHeader;

  /**
   * @param eosText the decoded eos token, e.g. {@code <|im_end|>} for Qwen2.5
   * @param maskAssistantHeader also mask the assistant header (default false, as RM-R1)
   */
  public SftTextBuilder(ChatTemplate template, String eosText, boolean maskAssistantHeader) {
    this.template = Objects.requireNonNull(template, "template");
    this.eosText = Objects.requireNonNull(eosText, "eosText");
    if (eosText.isEmpty()) throw new IllegalArgumentException("eosText is empty");
    this.maskAssistantHeader = maskAssistantHeader;
  }

  /** The SFT text of {@code record}, or empty when spec 5 step 5 drops it (empty prompt or response). */
  public Optional<SftText> build(SftRecord record) {
    List<ChatMessage> context = record.contextMessages();
    String prompt = template.render(context, false);
    List<ChatMessage> full = new ArrayList<>(context);
    full.add(ChatMessage.assistant(record.trace()));
    String rendered = template.render(full, false);
    if (!rendered.startsWith(prompt)) {
      // Python slices regardless; a template whose output is not prefix-stable would silently corrupt the response.
      throw new IllegalArgumentException(
          "the chat template rendering with the assistant reply does not start with the prompt rendering");
    }
    String response = rendered.substring(prompt.length());
    if (prompt.isEmpty() || response.isEmpty()) return Optional.empty();
    String text = stripTrailingNewlines(prompt + response);
    if (!text.endsWith(eosText)) text = text + " " + eosText;
    String masked = prompt;
    if (maskAssistantHeader) {
      String withHeader = template.render(context, true);
      if (!withHeader.startsWith(prompt)) {
        throw new IllegalArgumentException("the generation-prompt rendering does not start with the prompt rendering");
      }
      String header = withHeader.substring(prompt.length());
      if (!response.startsWith(header)) {
        throw new IllegalArgumentException(
            "the response does not start with the assistant header \"" + header + "\" (template alters the reply?)");
      }
      masked = withHeader;
    }
    return Optional.of(new SftText(prompt, response, text, masked));
  }

  /** The token-level drop rule of spec 5 step 5: {@code prompt_len >= max_len - 2}. */
  public static boolean promptTooLong(int promptTokens, int maxLen) {
    return promptTokens >= maxLen - 2;
  }

  /** Python {@code s.rstrip("\n")}: removes all trailing {@code \n} (and only those). */
  static String stripTrailingNewlines(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '\n') end--;
    return s.substring(0, end);
  }
}

package dev.rmr1.training.data;

/**
 * The string-level form of one SFT sample (spec 5 "Mechanics"):
 *
 * @param prompt {@code template(context_messages)} without a generation prompt; its token count is the
 *     {@code prompt_len} of the drop rule {@code prompt_len >= max_len - 2}
 * @param response {@code template(context + [assistant: trace])[len(prompt):]}
 * @param text {@code (prompt + response).rstrip("\n")}, with {@code " " + eos} appended unless it already ends
 *     with the eos text; this is what gets tokenized (its last token is then forced to eos)
 * @param lossMaskedPrefix the prefix of {@code text} whose tokens get label -100: {@code prompt} as RM-R1 trained,
 *     or {@code prompt} + the assistant header with {@code maskAssistantHeader}
 */
public record SftText(String prompt, String response, String text, String lossMaskedPrefix) {}

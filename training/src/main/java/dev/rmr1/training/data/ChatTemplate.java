package dev.rmr1.training.data;

import java.util.List;

/**
 * A model's chat template as a string function, like Hugging Face {@code apply_chat_template(messages,
 * tokenize=False, add_generation_prompt=...)}. Implemented by the tokenizers module (Jinja templates).
 */
@FunctionalInterface
public interface ChatTemplate {
  String render(List<ChatMessage> messages, boolean addGenerationPrompt);
}

package dev.rmr1.training.judge;

import dev.rmr1.tokenizers.PretrainedTokenizer;
import dev.rmr1.tokenizers.Tokenizer;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.ChatTemplate;
import dev.rmr1.training.sft.TokenCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A checkpoint's tokenizer seen through the training module's interfaces: its Jinja chat template as a
 * {@link ChatTemplate} (messages passed as {@code {"role", "content"}} maps, as transformers does) and its
 * tokenizer as a {@link TokenCodec} ({@code encode(text, add_special_tokens=False)}, decode keeping special tokens).
 */
public final class PretrainedChat implements ChatTemplate, TokenCodec {
  private final PretrainedTokenizer pretrained;

  public PretrainedChat(PretrainedTokenizer pretrained) {
    this.pretrained = Objects.requireNonNull(pretrained, "pretrained");
    if (pretrained.chatTemplate().isEmpty()) {
      throw new IllegalArgumentException(
          "the tokenizer has no chat template (tokenizer_config.json chat_template or chat_template.jinja); a judge needs one");
    }
  }

  public Tokenizer tokenizer() {
    return pretrained.tokenizer();
  }

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    List<Map<String, String>> maps = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) maps.add(Map.of("role", m.role(), "content", m.content()));
    return pretrained.applyChatTemplate(maps, addGenerationPrompt);
  }

  @Override
  public int[] encode(String text) {
    return pretrained.tokenizer().encode(text, false);
  }

  @Override
  public String decode(int[] ids) {
    return pretrained.tokenizer().decode(ids, false);
  }
}

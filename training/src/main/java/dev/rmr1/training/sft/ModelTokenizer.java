package dev.rmr1.training.sft;

import dev.rmr1.tokenizers.PretrainedTokenizer;
import dev.rmr1.tokenizers.Tokenizer;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.ChatTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's tokenizer as the trainers use it: {@link TokenCodec} (no special tokens added on encode, kept on
 * decode), its chat template as a {@link ChatTemplate} over {@link ChatMessage}s, and the eos token of
 * {@code tokenizer_config.json}.
 */
public final class ModelTokenizer implements TokenCodec {
  private final PretrainedTokenizer tokenizer;
  private final String eosText;
  private final int eosId;

  public ModelTokenizer(PretrainedTokenizer tokenizer) {
    this.tokenizer = tokenizer;
    String eos = tokenizer.specialTokens().get("eos_token");
    if (eos == null) throw new IllegalArgumentException("the tokenizer has no eos_token (tokenizer_config.json)");
    Integer id = tokenizer.tokenizer().tokenToId(eos);
    if (id == null) throw new IllegalArgumentException("eos_token '" + eos + "' is not in the tokenizer's vocabulary");
    this.eosText = eos;
    this.eosId = id;
  }

  /** Loads the tokenizer files of a model directory (tokenizer.json, tokenizer_config.json). */
  public static ModelTokenizer load(Path dir) {
    return new ModelTokenizer(PretrainedTokenizer.load(dir));
  }

  @Override
  public int[] encode(String text) {
    return tokenizer.tokenizer().encode(text, false);
  }

  @Override
  public String decode(int[] ids) {
    return tokenizer.tokenizer().decode(ids, false);
  }

  public Tokenizer tokenizer() {
    return tokenizer.tokenizer();
  }

  /** The eos token's text, e.g. {@code <|im_end|>}. */
  public String eosText() {
    return eosText;
  }

  public int eosId() {
    return eosId;
  }

  /** The chat template ({@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)}). */
  public ChatTemplate chatTemplate() {
    if (tokenizer.chatTemplate().isEmpty()) throw new IllegalArgumentException("the tokenizer has no chat template");
    return (messages, addGenerationPrompt) -> {
      List<Map<String, String>> maps = new ArrayList<>(messages.size());
      for (ChatMessage m : messages) maps.add(Map.of("role", m.role(), "content", m.content()));
      return tokenizer.applyChatTemplate(maps, addGenerationPrompt);
    };
  }
}

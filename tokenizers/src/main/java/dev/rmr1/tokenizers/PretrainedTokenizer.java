package dev.rmr1.tokenizers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint's tokenizer files: tokenizer.json, and when present tokenizer_config.json (chat template,
 * bos/eos and other named special tokens) or chat_template.jinja. This is what
 * {@code AutoTokenizer.from_pretrained(dir)} gives for the fast byte-level BPE tokenizers.
 */
public final class PretrainedTokenizer {
  /** The named special tokens transformers passes to chat templates (when set). */
  private static final List<String> NAMED = List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

  private final Tokenizer tokenizer;
  private final ChatTemplate chatTemplate; // may be null
  private final Map<String, String> specialTokens;

  public PretrainedTokenizer(Tokenizer tokenizer, ChatTemplate chatTemplate, Map<String, String> specialTokens) {
    this.tokenizer = tokenizer;
    this.chatTemplate = chatTemplate;
    this.specialTokens = Map.copyOf(specialTokens);
  }

  /** Loads a directory holding tokenizer.json, or a tokenizer.json file (its directory is searched for the rest). */
  public static PretrainedTokenizer load(Path path) {
    Path json = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
    if (!Files.isRegularFile(json)) throw new UncheckedIOException(new java.io.FileNotFoundException("no tokenizer.json at " + json));
    Tokenizer tokenizer = Tokenizer.fromFile(json);
    Path dir = json.toAbsolutePath().getParent();
    Path config = dir.resolve("tokenizer_config.json");
    Map<String, String> special = new LinkedHashMap<>();
    String template = null;
    if (Files.isRegularFile(config)) {
      JsonNodeAt root = new JsonNodeAt(readJson(config), "$", config.toString());
      for (String name : NAMED) {
        JsonNodeAt v = root.opt(name);
        if (v == null) continue;
        special.put(name, v.json().isObject() ? v.text("content") : v.text());
      }
      JsonNodeAt t = root.opt("chat_template");
      if (t != null) template = chatTemplateText(t);
    }
    Path jinja = dir.resolve("chat_template.jinja");
    if (template == null && Files.isRegularFile(jinja)) {
      try {
        template = Files.readString(jinja);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + jinja, e);
      }
    }
    return new PretrainedTokenizer(tokenizer, template == null ? null : new ChatTemplate(template), special);
  }

  /** A string, or transformers' list of named templates ({@code [{"name": "default", "template": ...}]}). */
  private static String chatTemplateText(JsonNodeAt t) {
    if (t.json().isTextual()) return t.text();
    for (JsonNodeAt e : t.elements()) if ("default".equals(e.textOr("name", null))) return e.text("template");
    throw t.error("no template named 'default' among the chat templates");
  }

  private static JsonNode readJson(Path file) {
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new TokenizerFormatException(file + ": malformed JSON at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public Optional<ChatTemplate> chatTemplate() {
    return Optional.ofNullable(chatTemplate);
  }

  /** bos_token, eos_token, ... as set in tokenizer_config.json. */
  public Map<String, String> specialTokens() {
    return specialTokens;
  }

  /** {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)}. */
  public String applyChatTemplate(List<?> messages, boolean addGenerationPrompt) {
    return applyChatTemplate(messages, null, addGenerationPrompt, Map.of());
  }

  /** With tools and extra template variables (e.g. enable_thinking). */
  public String applyChatTemplate(List<?> messages, List<?> tools, boolean addGenerationPrompt, Map<String, ?> extra) {
    if (chatTemplate == null) throw new ChatTemplateException("this tokenizer has no chat template (tokenizer_config.json chat_template or chat_template.jinja)");
    return chatTemplate.render(messages, tools, addGenerationPrompt, specialTokens, extra);
  }
}

package dev.rmr1.training.judge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a tiny byte-level tokenizer directory for tests: the 256 GPT-2 byte characters as ids 0..255 (no merges),
 * then {@code <|endoftext|>}, {@code <|im_start|>}, {@code <|im_end|>} as special added tokens (259 ids, within
 * tiny-qwen2-a's 320), and a ChatML chat template as Qwen2.5 renders it without tools.
 */
final class TinyTokenizer {
  static final List<String> SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");
  static final int EOS = 258;
  static final String CHATML = "{%- for message in messages %}"
      + "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
      + "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

  private TinyTokenizer() {}

  static Path write(Path dir) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("version", "1.0");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < SPECIALS.size(); i++) {
      added.addObject().put("id", 256 + i).put("content", SPECIALS.get(i)).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
        .put("use_regex", true);
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
        .put("use_regex", true);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout");
    model.putNull("unk_token");
    model.put("fuse_unk", false).put("byte_fallback", false).put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    char[] chars = byteChars();
    for (int b = 0; b < 256; b++) vocab.put(String.valueOf(chars[b]), b);
    model.putArray("merges");
    ObjectNode config = f.objectNode();
    config.put("eos_token", "<|im_end|>").put("pad_token", "<|endoftext|>").put("chat_template", CHATML);
    try {
      Files.createDirectories(dir);
      ObjectMapper json = new ObjectMapper();
      json.writeValue(dir.resolve("tokenizer.json").toFile(), root);
      json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to 256, 257, ... in byte order. */
  private static char[] byteChars() {
    char[] out = new char[256];
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      out[b] = printable ? (char) b : (char) next++;
    }
    return out;
  }
}

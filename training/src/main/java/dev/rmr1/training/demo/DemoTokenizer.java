package dev.rmr1.training.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.tokenizers.BpeTrainer;
import dev.rmr1.tokenizers.PretrainedTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo's tokenizer: a byte-level BPE trained on {@link DemoCorpus} with Qwen's pre-tokenizer (digits stay single
 * tokens, which suits arithmetic), Qwen's special tokens and a ChatML chat template as Qwen2.5 renders it when a
 * system message is given and no tools are. Written as a Hugging Face tokenizer directory ({@code tokenizer.json} +
 * {@code tokenizer_config.json}), so the demo's model directory loads like any checkpoint's.
 */
public final class DemoTokenizer {
  public static final String PAD = "<|endoftext|>";
  public static final String IM_START = "<|im_start|>";
  public static final String EOS = "<|im_end|>";
  public static final List<String> SPECIALS = List.of(PAD, IM_START, EOS);
  public static final String CHAT_TEMPLATE = "{%- for message in messages %}"
      + "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
      + "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

  private DemoTokenizer() {}

  /**
   * Trains a tokenizer of {@code vocabSize} ids (256 bytes + merges + 3 special tokens) on the corpus of
   * {@code corpusPairs} conversations, writes it to {@code dir} and loads it back.
   */
  public static PretrainedTokenizer train(long seed, int vocabSize, int corpusPairs, int maxOperand, Path dir) {
    try {
      Files.createDirectories(dir);
      new BpeTrainer(vocabSize, SPECIALS).train(DemoCorpus.documents(seed, corpusPairs, maxOperand), dir.resolve("tokenizer.json"));
      writeConfig(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("writing the demo tokenizer to " + dir, e);
    }
    return PretrainedTokenizer.load(dir);
  }

  /** tokenizer_config.json: the chat template and the named special tokens transformers reads. */
  public static void writeConfig(Path dir) throws IOException {
    ObjectNode config = JsonNodeFactory.instance.objectNode();
    config.put("tokenizer_class", "Qwen2Tokenizer");
    config.put("eos_token", EOS);
    config.put("pad_token", PAD);
    config.put("model_max_length", 1024);
    config.put("chat_template", CHAT_TEMPLATE);
    Files.writeString(dir.resolve("tokenizer_config.json"), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(config));
  }
}

package dev.rmr1.training;

import dev.rmr1.tokenizers.BpeTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A complete tiny model directory for end-to-end tests: the tiny-qwen2-a weights and config, plus a byte-level BPE
 * tokenizer trained here to fit its 320-token vocabulary (256 bytes, 61 merges, and {@code <|endoftext|>},
 * {@code <|im_start|>}, {@code <|im_end|>} as ids 317-319), with a Qwen2.5-style chat template and eos
 * {@code <|im_end|>}.
 */
public final class TinyModelDir {
  public static final int IM_START = 318, EOS = 319;

  /** Qwen2.5's ChatML layout, without the default system prompt and tools. */
  static final String TEMPLATE = "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
      + "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

  private TinyModelDir() {}

  /** Writes the directory under {@code parent} and returns it. */
  public static Path create(Path parent) {
    Path dir = parent.resolve("tiny-qwen2-a-chat");
    try {
      Files.createDirectories(dir);
      for (String f : List.of("config.json", "generation_config.json", "model.safetensors"))
        Files.copy(TrainingFixtures.tinyModel().resolve(f), dir.resolve(f));
      List<String> corpus = new ArrayList<>(dev.rmr1.tokenizers.SyntheticCorpus.documents(1, 20_000));
      for (int i = 0; i < 40; i++)
        corpus.add("Please act as an impartial judge. <answer>[[A]]</answer> <answer>[[B]]</answer> Chatbot A and Chatbot B. " + i);
      new BpeTrainer(320, List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>")).train(corpus, dir.resolve("tokenizer.json"));
      Integer eos = dev.rmr1.tokenizers.Tokenizer.fromFile(dir.resolve("tokenizer.json")).tokenToId("<|im_end|>");
      if (eos == null || eos != EOS) throw new IllegalStateException("the trained tokenizer does not fill the 320 ids: <|im_end|> is " + eos);
      String config = "{\n  \"eos_token\": \"<|im_end|>\",\n  \"pad_token\": \"<|endoftext|>\",\n  \"chat_template\": "
          + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(TEMPLATE) + "\n}\n";
      Files.writeString(dir.resolve("tokenizer_config.json"), config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }
}

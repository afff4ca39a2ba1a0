package dev.rmr1.training.sft;

import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.ChatTemplate;
import java.util.ArrayList;
import java.util.List;

/**
 * A test tokenizer: the special tokens {@code <|im_start|>} (1) and {@code <|im_end|>} (2) as single ids, every other
 * character as {@code 3 + (char % (vocab - 3))} (ids decode back to characters only below {@code vocab}). And the
 * Qwen2.5 chat template without its default system prompt.
 */
final class ToyCodec implements TokenCodec {
  static final String START = "<|im_start|>";
  static final String END = "<|im_end|>";
  static final int START_ID = 1, EOS_ID = 2;
  private final int vocab;

  ToyCodec(int vocab) {
    this.vocab = vocab;
  }

  /** Unbounded: every char gets its own id, so decode(encode(s)) == s. */
  ToyCodec() {
    this(Integer.MAX_VALUE);
  }

  @Override
  public int[] encode(String text) {
    List<Integer> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith(START, i)) {
        out.add(START_ID);
        i += START.length();
      } else if (text.startsWith(END, i)) {
        out.add(EOS_ID);
        i += END.length();
      } else {
        out.add(3 + (int) (text.charAt(i) % ((long) vocab - 3)));
        i++;
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) sb.append(id == START_ID ? START : id == EOS_ID ? END : String.valueOf((char) (id - 3)));
    return sb.toString();
  }

  static final ChatTemplate QWEN = (messages, addGenerationPrompt) -> {
    StringBuilder sb = new StringBuilder();
    for (ChatMessage m : messages) sb.append(START).append(m.role()).append('\n').append(m.content()).append(END).append('\n');
    if (addGenerationPrompt) sb.append(START).append("assistant\n");
    return sb.toString();
  };
}

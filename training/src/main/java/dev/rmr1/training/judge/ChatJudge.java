package dev.rmr1.training.judge;

import dev.rmr1.tokenizers.StreamDecoder;
import dev.rmr1.tokenizers.Tokenizer;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.eval.Judge;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A generative judge on a language model (spec 8): the judge messages are rendered with the model's chat template
 * (generation prompt added), tokenized with {@code add_special_tokens=False} as in training, continued by the
 * {@link TokenGenerator} in one batch, and decoded without special tokens (as vLLM returns text), thinking included.
 *
 * <p>New tokens are capped at {@code maxNewTokens} and at what the model's context leaves after the prompt
 * (upstream asks for 50,000 tokens, more than some contexts hold; spec 8).
 */
public final class ChatJudge implements Judge {
  private final PretrainedChat chat;
  private final TokenGenerator generator;
  private final int maxNewTokens;

  public ChatJudge(PretrainedChat chat, TokenGenerator generator, int maxNewTokens) {
    this.chat = Objects.requireNonNull(chat, "chat");
    this.generator = Objects.requireNonNull(generator, "generator");
    if (maxNewTokens <= 0) throw new IllegalArgumentException("maxNewTokens must be > 0, got " + maxNewTokens);
    this.maxNewTokens = maxNewTokens;
  }

  @Override
  public String judge(List<ChatMessage> messages) {
    return judgeBatch(List.of(messages)).get(0);
  }

  @Override
  public List<String> judgeBatch(List<List<ChatMessage>> batch) {
    return generate(batch, TokenGenerator.TokenSink.NONE);
  }

  /** Judges one prompt, handing the text to {@code text} piece by piece as it is generated; returns all of it. */
  public String judgeStreaming(List<ChatMessage> messages, Consumer<String> text) {
    StreamDecoder stream = chat.tokenizer().streamDecoder(true);
    String out = generate(List.of(messages), (row, id) -> {
      String piece = stream.step(id);
      if (piece != null) text.accept(piece);
    }).get(0);
    String rest = stream.flush();
    if (!rest.isEmpty()) text.accept(rest);
    return out;
  }

  /** The token ids the model is given for {@code messages}. */
  public int[] promptIds(List<ChatMessage> messages) {
    return chat.encode(chat.render(messages, true));
  }

  private List<String> generate(List<List<ChatMessage>> batch, TokenGenerator.TokenSink sink) {
    List<int[]> prompts = new ArrayList<>(batch.size());
    int[] budgets = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      int[] ids = promptIds(batch.get(i));
      int room = generator.contextLength() - ids.length;
      if (room <= 0) {
        throw new IllegalArgumentException("judge prompt " + i + " has " + ids.length
            + " tokens, which leaves no room in the model's context of " + generator.contextLength() + " tokens");
      }
      prompts.add(ids);
      budgets[i] = Math.min(maxNewTokens, room);
    }
    List<int[]> outs = generator.generate(prompts, budgets, sink);
    if (outs.size() != prompts.size()) {
      throw new IllegalStateException("the generator returned " + outs.size() + " continuations for " + prompts.size() + " prompts");
    }
    Tokenizer tok = chat.tokenizer();
    List<String> texts = new ArrayList<>(outs.size());
    for (int[] ids : outs) texts.add(tok.decode(ids, true));
    return texts;
  }
}

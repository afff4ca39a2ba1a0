package dev.rmr1.training.judge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tokenizers.PretrainedTokenizer;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.demo.DemoTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatJudgeTest {
  @TempDir static Path dir;
  static PretrainedChat chat;

  @BeforeAll
  static void tokenizer() {
    chat = new PretrainedChat(DemoTokenizer.train(1, 300, 50, 20, dir.resolve("tok")));
  }

  /** Answers prompt i with {@code replies[i]} then eos, one token at a time, cut at its budget; records its inputs. */
  static final class Scripted implements TokenGenerator {
    final List<String> replies;
    final int context;
    final List<int[]> prompts = new ArrayList<>();
    int[] budgets;

    Scripted(int context, String... replies) {
      this.replies = List.of(replies);
      this.context = context;
    }

    @Override
    public List<int[]> generate(List<int[]> in, int[] maxNewTokens, TokenSink sink) {
      prompts.addAll(in);
      budgets = maxNewTokens.clone();
      List<int[]> out = new ArrayList<>();
      for (int i = 0; i < in.size(); i++) {
        int[] ids = chat.encode(replies.get(i) + "<|im_end|>");
        ids = Arrays.copyOf(ids, Math.min(ids.length, maxNewTokens[i]));
        for (int id : ids) sink.accept(i, id);
        out.add(ids);
      }
      return out;
    }

    @Override
    public int contextLength() {
      return context;
    }
  }

  static List<ChatMessage> messages(String question) {
    return List.of(ChatMessage.system("Judge."), ChatMessage.user(question));
  }

  @Test
  void rendersWithGenerationPromptAndDecodesWithoutSpecialTokens() {
    Scripted gen = new Scripted(4096, "<answer>[[A]]</answer>", "<answer>[[B]]</answer>");
    ChatJudge judge = new ChatJudge(chat, gen, 64);
    List<String> out = judge.judgeBatch(List.of(messages("1+1?"), messages("2+2?")));
    assertEquals(List.of("<answer>[[A]]</answer>", "<answer>[[B]]</answer>"), out);
    String rendered = "<|im_start|>system\nJudge.<|im_end|>\n<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n";
    assertEquals(rendered, chat.render(messages("1+1?"), true));
    assertArrayEquals(chat.encode(rendered), gen.prompts.get(0));
    // special tokens are single ids, not their characters
    assertEquals(chat.tokenizer().tokenToId("<|im_start|>"), gen.prompts.get(0)[0]);
    assertArrayEquals(new int[] {64, 64}, gen.budgets);
  }

  @Test
  void capsNewTokensAtTheContextLeftAfterThePrompt() {
    int promptLen = chat.encode(chat.render(messages("1+1?"), true)).length;
    Scripted gen = new Scripted(promptLen + 5, "<answer>[[A]]</answer>");
    String out = new ChatJudge(chat, gen, 64).judge(messages("1+1?"));
    assertArrayEquals(new int[] {5}, gen.budgets);
    int[] reply = chat.encode("<answer>[[A]]</answer><|im_end|>");
    assertTrue(reply.length > 5);
    assertEquals(chat.tokenizer().decode(Arrays.copyOf(reply, 5), true), out);
    Scripted full = new Scripted(promptLen, "x");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ChatJudge(chat, full, 64).judge(messages("1+1?")));
    assertTrue(e.getMessage().contains(promptLen + " tokens"), e.getMessage());
  }

  @Test
  void streamsWholeCharactersThatAddUpToTheResult() {
    // "é" and "→" span several byte-level tokens: no piece may end inside them
    String reply = "<solution>é → 4</solution><answer>[[B]]</answer>";
    List<String> pieces = new ArrayList<>();
    String out = new ChatJudge(chat, new Scripted(4096, reply), 200).judgeStreaming(messages("2+2?"), pieces::add);
    assertEquals(reply, out);
    assertEquals(reply, String.join("", pieces));
    for (String p : pieces) assertTrue(!p.contains("\uFFFD"), p);
  }

  @Test
  void rejectsATokenizerWithoutChatTemplate() {
    PretrainedTokenizer t = PretrainedTokenizer.load(dir.resolve("tok"));
    PretrainedTokenizer bare = new PretrainedTokenizer(t.tokenizer(), null, t.specialTokens());
    assertThrows(IllegalArgumentException.class, () -> new PretrainedChat(bare));
  }
}

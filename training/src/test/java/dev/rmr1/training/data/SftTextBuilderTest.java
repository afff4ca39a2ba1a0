package dev.rmr1.training.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SftTextBuilderTest {
  /** The Qwen2.5 form of spec 2.1 (no default system prompt added: RM-R1's records always carry one). */
  static final ChatTemplate QWEN = (messages, gen) -> {
    StringBuilder sb = new StringBuilder();
    for (ChatMessage m : messages) {
      sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
    }
    if (gen) sb.append("<|im_start|>assistant\n");
    return sb.toString();
  };

  private static final SftRecord REC =
      new SftRecord(List.of(ChatMessage.system("SYS"), ChatMessage.user("USER")), "<type>Chat</type> <answer>[[B]]</answer>");

  @Test
  void qwenSampleFollowsTheSpecMechanics() {
    SftText t = new SftTextBuilder(QWEN, "<|im_end|>", false).build(REC).orElseThrow();
    assertEquals("<|im_start|>system\nSYS<|im_end|>\n<|im_start|>user\nUSER<|im_end|>\n", t.prompt());
    assertEquals("<|im_start|>assistant\n<type>Chat</type> <answer>[[B]]</answer><|im_end|>\n", t.response());
    // rstrip("\n") leaves the text ending with the eos text, so nothing is appended.
    assertEquals(t.prompt() + "<|im_start|>assistant\n<type>Chat</type> <answer>[[B]]</answer><|im_end|>", t.text());
    // RM-R1 masks the prompt only: the assistant header is trained.
    assertEquals(t.prompt(), t.lossMaskedPrefix());
    SftText masked = new SftTextBuilder(QWEN, "<|im_end|>", true).build(REC).orElseThrow();
    assertEquals(t.prompt() + "<|im_start|>assistant\n", masked.lossMaskedPrefix());
    assertEquals(t.text(), masked.text());
  }

  @Test
  void eosIsAppendedWithASpaceWhenMissingAndAllTrailingNewlinesGo() {
    ChatTemplate plain = (messages, gen) -> {
      StringBuilder sb = new StringBuilder();
      for (ChatMessage m : messages) sb.append(m.role()).append(": ").append(m.content()).append("\n\n\n");
      return sb.toString();
    };
    SftText t = new SftTextBuilder(plain, "</s>", false).build(REC).orElseThrow();
    assertEquals("assistant: " + REC.trace() + "\n\n\n", t.response());
    assertEquals(t.prompt() + "assistant: " + REC.trace() + " </s>", t.text());
    assertEquals("a\n\r", SftTextBuilder.stripTrailingNewlines("a\n\r\n\n"));
  }

  @Test
  void emptyPromptOrResponseDropsTheSample() {
    ChatTemplate emptyPrompt = (messages, gen) ->
        messages.get(messages.size() - 1).role().equals(ChatMessage.ASSISTANT) ? "reply" : "";
    assertEquals(Optional.empty(), new SftTextBuilder(emptyPrompt, "<|im_end|>", false).build(REC));
    ChatTemplate ignoresAssistant = (messages, gen) -> "same";
    assertEquals(Optional.empty(), new SftTextBuilder(ignoresAssistant, "<|im_end|>", false).build(REC));
  }

  @Test
  void templatesThatBreakThePrefixAreErrors() {
    ChatTemplate unstable = (messages, gen) -> messages.size() + ":" + messages.get(0).content();
    assertThrows(IllegalArgumentException.class, () -> new SftTextBuilder(unstable, "e", false).build(REC));
    // R1-distill style: the template rewrites the assistant content, so the header cannot be located.
    ChatTemplate rewrites = (messages, gen) -> {
      String s = QWEN.render(messages, false).replace("<type>", "");
      return gen ? s + "<|im_start|>assistant\n<think>\n" : s;
    };
    var e = assertThrows(IllegalArgumentException.class, () -> new SftTextBuilder(rewrites, "<|im_end|>", true).build(REC));
    assertTrue(e.getMessage().contains("assistant header"), e.getMessage());
  }

  @Test
  void promptBudgetRule() {
    assertFalse(SftTextBuilder.promptTooLong(12285, 12288));
    assertTrue(SftTextBuilder.promptTooLong(12286, 12288));
  }
}

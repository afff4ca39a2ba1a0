package dev.rmr1.training.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class JudgePromptBuilderTest {
  private static final JudgePrompts P = JudgePrompts.bundled();

  private static final List<ChatMessage> MULTI_CHOSEN = List.of(
      ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"), ChatMessage.user("2+2?"), ChatMessage.assistant("4"));
  private static final List<ChatMessage> MULTI_REJECTED = List.of(
      ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"), ChatMessage.user("2+2?"), ChatMessage.assistant("5"));

  @Test
  void instructSingleTurnIsSystemPlusFilledUserTemplate() {
    var b = new JudgePromptBuilder(P, PromptFormat.INSTRUCT);
    List<ChatMessage> m = b.build(PreferencePair.singleTurn("Q?", "good", "bad"), Slot.A);
    assertEquals(2, m.size());
    assertEquals(ChatMessage.system(P.instructSystem()), m.get(0));
    assertEquals(ChatMessage.user("[Client Question]\nQ?\n\n[The Start of Chatbot A's Response]\ngood\n"
        + "[The End of Chatbot A's Response]\n\n[The Start of Chatbot B's Response]\nbad\n"
        + "[The End of Chatbot B's Response]"), m.get(1));
    String swapped = b.build(PreferencePair.singleTurn("Q?", "good", "bad"), Slot.B).get(1).content();
    assertTrue(swapped.contains("Chatbot A's Response]\nbad\n") && swapped.contains("Chatbot B's Response]\ngood\n"));
  }

  @Test
  void reasoningIsOneUserMessageWithoutSystemPrompt() {
    var b = new JudgePromptBuilder(P, PromptFormat.REASONING);
    List<ChatMessage> m = b.build(PreferencePair.singleTurn("Q?", "good", "bad"), Slot.B);
    assertEquals(1, m.size());
    assertEquals(ChatMessage.USER, m.get(0).role());
    assertTrue(m.get(0).content().startsWith("Please act as an impartial judge"));
    assertTrue(m.get(0).content().contains("displayed below. \n\n[Client Question]\nQ?\n\n"));
    assertTrue(m.get(0).content().contains("[The Start of Chatbot A's Response]\nbad\n"));
  }

  @Test
  void multiTurnSerializesWholeConversations() {
    var b = new JudgePromptBuilder(P, PromptFormat.INSTRUCT);
    PreferencePair pair = new PreferencePair(MULTI_CHOSEN, MULTI_REJECTED);
    assertFalse(pair.isSingleTurn());
    String u = b.userMessage(pair, Slot.B);
    assertEquals("[The Start of the Conversation between Chatbot A and the Client]\n"
        + "User: Hi\nChatbot A: Hello!\nUser: 2+2?\nChatbot A: 5\n"
        + "[The End of the Conversation between Chatbot A and the Client]\n\n"
        + "[The Start of the Conversation between Chatbot B and the Client]\n"
        + "User: Hi\nChatbot B: Hello!\nUser: 2+2?\nChatbot B: 4\n"
        + "[The End of the Conversation between Chatbot B and the Client]", u);
  }

  @Test
  void chabotTypoOnlyWhenAskedForMultiTurnWithChosenInSlotA() {
    PreferencePair multi = new PreferencePair(MULTI_CHOSEN, MULTI_REJECTED);
    var typo = new JudgePromptBuilder(P, PromptFormat.INSTRUCT, true);
    assertTrue(typo.userMessage(multi, Slot.A).contains("Chabot B: 5"));
    assertFalse(typo.userMessage(multi, Slot.A).contains("Chatbot B:"));
    assertFalse(typo.userMessage(multi, Slot.B).contains("Chabot"));
    assertFalse(new JudgePromptBuilder(P, PromptFormat.INSTRUCT).userMessage(multi, Slot.A).contains("Chabot"));
    assertFalse(typo.userMessage(PreferencePair.singleTurn("q", "a", "b"), Slot.A).contains("Chabot"));
  }

  @Test
  void singleVersusMultiTurnRule() {
    assertTrue(PreferencePair.singleTurn("q", "a", "b").isSingleTurn());
    // One side multi-turn makes the pair multi-turn.
    var mixed = new PreferencePair(MULTI_CHOSEN, List.of(ChatMessage.user("2+2?"), ChatMessage.assistant("5")));
    assertFalse(mixed.isSingleTurn());
    assertThrows(IllegalStateException.class, mixed::question);
    assertTrue(new JudgePromptBuilder(P, PromptFormat.REASONING).userMessage(mixed, Slot.A)
        .contains("[The Start of the Conversation between Chatbot A and the Client]"));
    var context = PreferencePair.fromContext(List.of(ChatMessage.user("x")), "a", "b");
    assertTrue(context.isSingleTurn());
    assertEquals("x", context.question());
  }

  @Test
  void invalidPairsAreRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> new PreferencePair(
        List.of(ChatMessage.user("q1"), ChatMessage.assistant("a")),
        List.of(ChatMessage.user("q2"), ChatMessage.assistant("b"))));
    assertTrue(e.getMessage().contains("questions differ"));
    e = assertThrows(IllegalArgumentException.class, () -> new PreferencePair(
        List.of(ChatMessage.system("s"), ChatMessage.user("q"), ChatMessage.assistant("a")),
        List.of(ChatMessage.user("q"), ChatMessage.assistant("b"))));
    assertTrue(e.getMessage().contains("chosen[0].role"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new PreferencePair(
        List.of(ChatMessage.user("q"), ChatMessage.assistant("a")), List.of(ChatMessage.user("q"))));
    assertTrue(e.getMessage().contains("rejected conversation must end"), e.getMessage());
  }
}

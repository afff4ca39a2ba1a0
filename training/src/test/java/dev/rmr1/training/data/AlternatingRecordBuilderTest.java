package dev.rmr1.training.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class AlternatingRecordBuilderTest {
  private static final JudgePromptBuilder PROMPTS = new JudgePromptBuilder(JudgePrompts.bundled(), PromptFormat.INSTRUCT);

  @Test
  void counterAlternatesAcrossSources() {
    var b = new AlternatingRecordBuilder(PROMPTS);
    List<Slot> winners = new ArrayList<>();
    for (int i = 0; i < 3; i++) winners.add(b.next(PreferencePair.singleTurn("math " + i, "c", "r")).winner());
    for (int i = 0; i < 2; i++) {
      winners.add(b.next(new PreferencePair(
          List.of(ChatMessage.user("u"), ChatMessage.assistant("x"), ChatMessage.user("v"), ChatMessage.assistant("c")),
          List.of(ChatMessage.user("u"), ChatMessage.assistant("x"), ChatMessage.user("v"), ChatMessage.assistant("r"))))
          .winner());
    }
    assertEquals(List.of(Slot.A, Slot.B, Slot.A, Slot.B, Slot.A), winners);
    assertEquals(5, b.count());
    assertEquals(Slot.B, new AlternatingRecordBuilder(PROMPTS, 5).next(PreferencePair.singleTurn("q", "c", "r")).winner());
  }

  @Property(tries = 50)
  void theWinnerNamesTheSlotHoldingTheChosenAnswer(
      @ForAll @Size(min = 1, max = 8) List<@StringLength(min = 1, max = 12) String> answers, @ForAll boolean start) {
    var b = new AlternatingRecordBuilder(PROMPTS, start ? 1 : 0);
    for (String a : answers) {
      String chosen = "CHOSEN<" + a + ">";
      String rejected = "REJECTED<" + a + ">";
      RlvrRecord r = b.next(PreferencePair.singleTurn("q", chosen, rejected));
      String user = r.contextMessages().get(1).content();
      String slotA = user.substring(user.indexOf("Chatbot A's Response]\n") + 22, user.indexOf("\n[The End of Chatbot A"));
      assertEquals(r.winner() == Slot.A ? chosen : rejected, slotA);
      assertEquals(r.winner(), (b.count() - 1) % 2 == 0 ? Slot.A : Slot.B);
    }
  }
}

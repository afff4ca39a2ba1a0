package dev.rmr1.training.demo;

import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.SftRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The text the demo's byte-level BPE tokenizer is trained on: the contents of every message of the demo's
 * conversations (system prompt, judge question, teacher trace) and the role names the chat template writes, drawn
 * from a seed of their own so that the tokenizer sees the task's language but not the evaluation pairs. The role
 * names come once per conversation, as often as the template writes them, so that they merge into single tokens.
 * Special tokens are not part of it: the trainer adds them as whole tokens.
 */
public final class DemoCorpus {
  private DemoCorpus() {}

  /**
   * One document per role line and per message content: {@code pairs} conversations of six documents, with both
   * operators and both checks of {@link TeacherTraces}, whatever a run's settings use.
   */
  public static List<String> documents(long seed, int pairs, int maxOperand) {
    List<SftRecord> records = new DemoData(ArithmeticPairs.generate(seed, pairs, maxOperand, "+-"), List.of(), List.of()).sftRecords(seed, 0.5);
    List<String> docs = new ArrayList<>(records.size() * 6);
    for (SftRecord r : records) {
      for (ChatMessage m : r.contextMessages()) {
        docs.add(m.role() + "\n");
        docs.add(m.content());
      }
      docs.add(ChatMessage.ASSISTANT + "\n");
      docs.add(r.trace());
    }
    return docs;
  }
}

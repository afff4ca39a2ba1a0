package dev.rmr1.training.demo;

import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.SftRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The text the demo's byte-level BPE tokenizer is trained on: the contents of every message of the demo's
 * conversations (system prompt, judge question, teacher trace) and the role names the chat template writes, drawn
 * from a seed of their own so that the tokenizer sees the task's language but not the evaluation pairs. Special
 * tokens are not part of it: the trainer adds them as whole tokens.
 */
public final class DemoCorpus {
  private DemoCorpus() {}

  /** One document per message, {@code pairs} conversations; role names included once. */
  public static List<String> documents(long seed, int pairs, int maxOperand) {
    List<SftRecord> records = new DemoData(ArithmeticPairs.generate(seed, pairs, maxOperand), List.of(), List.of()).sftRecords();
    List<String> docs = new ArrayList<>(records.size() * 3 + 3);
    docs.add(ChatMessage.SYSTEM + "\n");
    docs.add(ChatMessage.USER + "\n");
    docs.add(ChatMessage.ASSISTANT + "\n");
    for (SftRecord r : records) {
      for (ChatMessage m : r.contextMessages()) docs.add(m.content());
      docs.add(r.trace());
    }
    return docs;
  }
}

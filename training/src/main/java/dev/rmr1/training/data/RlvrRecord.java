package dev.rmr1.training.data;

import java.util.List;

/**
 * One RLVR training record (spec 4): {@code {"context_messages": [...], "winner": "model_a"|"model_b"}}.
 * {@code contextMessages} already holds the whole judge prompt; {@code winner} is the slot of the chosen response.
 */
public record RlvrRecord(List<ChatMessage> contextMessages, Slot winner) {
  public RlvrRecord {
    contextMessages = List.copyOf(contextMessages);
    if (contextMessages.isEmpty()) throw new IllegalArgumentException("context_messages is empty");
    if (winner == null) throw new IllegalArgumentException("winner is null");
  }
}

package dev.rmr1.training.data;

import java.util.List;

/**
 * One distillation SFT record (spec 4): {@code context_messages} (the judge prompt) and the teacher reasoning trace,
 * which RM-R1's released set stores in the field {@code winner} and which becomes the assistant reply.
 */
public record SftRecord(List<ChatMessage> contextMessages, String trace) {
  public SftRecord {
    contextMessages = List.copyOf(contextMessages);
    if (contextMessages.isEmpty()) throw new IllegalArgumentException("context_messages is empty");
    if (trace == null) throw new IllegalArgumentException("trace is null");
  }
}

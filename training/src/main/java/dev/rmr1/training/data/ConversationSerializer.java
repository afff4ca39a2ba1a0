package dev.rmr1.training.data;

import java.util.List;
import java.util.StringJoiner;

/**
 * Multi-turn serialization for the RM-R1 multi-turn templates (spec 2.2; {@code mix_data.py}
 * {@code convert_sky_data_multi}, RMB {@code run_generative.py} {@code convert_data_multi}): each message becomes the
 * line {@code "{Role}: {content}"} with role {@code User} or the assistant's name, lines joined with {@code "\n"}.
 */
public final class ConversationSerializer {
  private ConversationSerializer() {}

  /**
   * @param assistantName the label of assistant lines, e.g. {@code "Chatbot A"}
   * @throws IllegalArgumentException for a role other than user or assistant
   */
  public static String serialize(List<ChatMessage> conversation, String assistantName) {
    StringJoiner out = new StringJoiner("\n");
    for (int i = 0; i < conversation.size(); i++) {
      ChatMessage m = conversation.get(i);
      String label = switch (m.role()) {
        case ChatMessage.USER -> "User";
        case ChatMessage.ASSISTANT -> assistantName;
        default -> throw new IllegalArgumentException(
            "message " + i + " has role \"" + m.role() + "\": only user and assistant can be serialized");
      };
      out.add(label + ": " + m.content());
    }
    return out.toString();
  }
}

package dev.rmr1.training.eval;

import dev.rmr1.training.data.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * A generative judge: judge messages in, the full generation out (thinking included, as the evaluation parser needs
 * it). The real implementation renders the messages with the model's chat template, tokenizes without special
 * tokens and decodes greedily (spec 8); tests drive the harness with fakes.
 */
@FunctionalInterface
public interface Judge {
  String judge(List<ChatMessage> messages);

  /**
   * Judges a batch; the result has one generation per input, in order. Override to batch generation on the model.
   */
  default List<String> judgeBatch(List<List<ChatMessage>> batch) {
    List<String> out = new ArrayList<>(batch.size());
    for (List<ChatMessage> messages : batch) out.add(judge(messages));
    return out;
  }
}

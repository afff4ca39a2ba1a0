package dev.rmr1.training.eval;

import dev.rmr1.training.data.ChatMessage;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Deterministic judges for driving the harness without a model. */
final class FakeJudges {
  private FakeJudges() {}

  static String verdict(String slot) {
    return "<type>Chat</type>\n<rubric>r<justify>j</justify></rubric>\n<eval>e</eval>\n<answer>[[" + slot + "]]</answer>";
  }

  /** Always answers A. */
  static final Judge ALWAYS_A = messages -> verdict("A");

  /**
   * Reads the two slots out of the rendered user message (single- or multi-turn template) and answers the slot of the
   * chosen reply: the slots must end with the chosen and rejected replies of some comparison of the benchmark, in one
   * order only. Independent of the prompt builder's bookkeeping.
   */
  static Judge oracle(Benchmark bench) {
    List<String[]> pairs = bench.comparisons().stream()
        .map(c -> new String[] {c.pair().chosenReply(), c.pair().rejectedReply()}).toList();
    return messages -> {
      String u = messages.get(messages.size() - 1).content();
      String a = slot(u, "A");
      String b = slot(u, "B");
      boolean chosenInA = pairs.stream().anyMatch(p -> a.endsWith(p[0]) && b.endsWith(p[1]));
      boolean chosenInB = pairs.stream().anyMatch(p -> b.endsWith(p[0]) && a.endsWith(p[1]));
      if (chosenInA == chosenInB) throw new AssertionError("oracle cannot tell the slots apart in: " + u);
      return verdict(chosenInA ? "A" : "B");
    };
  }

  private static String slot(String u, String x) {
    String[][] markers = {
      {"[The Start of Chatbot " + x + "'s Response]\n", "\n[The End of Chatbot " + x + "'s Response]"},
      {"[The Start of the Conversation between Chatbot " + x + " and the Client]\n",
       "\n[The End of the Conversation between Chatbot " + x + " and the Client]"}};
    for (String[] m : markers) {
      int s = u.indexOf(m[0]);
      if (s >= 0) return u.substring(s + m[0].length(), u.indexOf(m[1], s));
    }
    throw new AssertionError("no slot " + x + " in: " + u);
  }

  /** Counts single judgements and batch calls; fails after {@code failAfterBatches} batches (a killed run). */
  static final class Counting implements Judge {
    final Judge inner;
    final int failAfterBatches;
    final AtomicInteger judged = new AtomicInteger();
    final AtomicInteger batches = new AtomicInteger();

    Counting(Judge inner, int failAfterBatches) {
      this.inner = inner;
      this.failAfterBatches = failAfterBatches;
    }

    @Override
    public String judge(List<ChatMessage> messages) {
      judged.incrementAndGet();
      return inner.judge(messages);
    }

    @Override
    public List<String> judgeBatch(List<List<ChatMessage>> batch) {
      if (batches.getAndIncrement() == failAfterBatches) throw new IllegalStateException("killed");
      return Judge.super.judgeBatch(batch);
    }
  }
}

package dev.rmr1.training.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A preference pair as two whole conversations, each ending with the assistant reply being judged: {@code chosen}
 * (the preferred one) and {@code rejected}. This is the Skywork / RewardBench {@code text_chosen/text_rejected} shape
 * that RM-R1's prompt builders consume.
 *
 * <p>Only {@code user} and {@code assistant} messages are allowed and each side ends with an assistant message
 * (spec 2.2). A pair is single-turn iff both sides are exactly {@code [user, assistant]}; then the two questions must
 * be equal, as {@code mix_data.py} asserts.
 */
public record PreferencePair(List<ChatMessage> chosen, List<ChatMessage> rejected) {

  public PreferencePair {
    chosen = List.copyOf(chosen);
    rejected = List.copyOf(rejected);
    check("chosen", chosen);
    check("rejected", rejected);
    if (isSingleTurn(chosen) && isSingleTurn(rejected)
        && !chosen.get(0).content().equals(rejected.get(0).content())) {
      throw new IllegalArgumentException("single-turn pair whose chosen and rejected questions differ");
    }
  }

  /** A single-turn pair: one question and two candidate answers. */
  public static PreferencePair singleTurn(String question, String chosenAnswer, String rejectedAnswer) {
    return new PreferencePair(
        List.of(ChatMessage.user(question), ChatMessage.assistant(chosenAnswer)),
        List.of(ChatMessage.user(question), ChatMessage.assistant(rejectedAnswer)));
  }

  /** A shared context (ending with a user turn) continued by two different assistant replies. */
  public static PreferencePair fromContext(List<ChatMessage> context, String chosenReply, String rejectedReply) {
    List<ChatMessage> c = new ArrayList<>(context);
    c.add(ChatMessage.assistant(chosenReply));
    List<ChatMessage> r = new ArrayList<>(context);
    r.add(ChatMessage.assistant(rejectedReply));
    return new PreferencePair(c, r);
  }

  /** True iff both sides are exactly {@code [user, assistant]} (spec 2.2). */
  public boolean isSingleTurn() {
    return isSingleTurn(chosen) && isSingleTurn(rejected);
  }

  /** The client question of a single-turn pair: the content of the first (user) message. */
  public String question() {
    if (!isSingleTurn()) throw new IllegalStateException("a multi-turn pair has no single question");
    return chosen.get(0).content();
  }

  /** The final (judged) assistant reply of the chosen side. */
  public String chosenReply() {
    return chosen.get(chosen.size() - 1).content();
  }

  /** The final (judged) assistant reply of the rejected side. */
  public String rejectedReply() {
    return rejected.get(rejected.size() - 1).content();
  }

  private static boolean isSingleTurn(List<ChatMessage> side) {
    return side.size() == 2
        && side.get(0).role().equals(ChatMessage.USER)
        && side.get(1).role().equals(ChatMessage.ASSISTANT);
  }

  private static void check(String name, List<ChatMessage> side) {
    if (side.isEmpty()) throw new IllegalArgumentException(name + " conversation is empty");
    for (int i = 0; i < side.size(); i++) {
      String role = side.get(i).role();
      if (!role.equals(ChatMessage.USER) && !role.equals(ChatMessage.ASSISTANT)) {
        throw new IllegalArgumentException(
            name + "[" + i + "].role is \"" + role + "\": only user and assistant messages can be judged");
      }
    }
    if (!side.get(side.size() - 1).role().equals(ChatMessage.ASSISTANT)) {
      throw new IllegalArgumentException(name + " conversation must end with the assistant reply being judged");
    }
  }
}

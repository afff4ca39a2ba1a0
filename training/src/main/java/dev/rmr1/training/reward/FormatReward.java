package dev.rmr1.training.reward;

import dev.rmr1.training.data.PromptFormat;
import java.util.Objects;

/**
 * An optional format reward: 1 if the response has the output shape of spec 2.3, else 0. RM-R1 itself used none
 * (the paper found no significant difference, section 2.3.2); this exists to be combined with {@link VerdictReward}
 * through {@link WeightedSumReward} in ablations. The label is not used.
 *
 * <p>Checked after removing a trailing eos text and whitespace; the response must end with exactly one verdict tag
 * {@code <answer>[[A]]</answer>} / {@code <answer>[[B]]</answer>} and contain no other {@code <answer>}:
 *
 * <ul>
 *   <li>{@link PromptFormat#INSTRUCT}: starts with {@code <type>Reasoning</type>} followed by {@code <solution>...
 *       </solution>}, or {@code <type>Chat</type>} followed by {@code <rubric>...<justify>...</justify>...</rubric>};
 *       then {@code <eval>...</eval>} directly before the verdict;
 *   <li>{@link PromptFormat#REASONING}: exactly one {@code </think>} (the template opens the think block), before the
 *       verdict.
 * </ul>
 */
public final class FormatReward implements RewardFunction {
  private final PromptFormat format;
  private final String eosText;

  /** @param eosText the decoded eos token that may end the response, e.g. {@code <|im_end|>} */
  public FormatReward(PromptFormat format, String eosText) {
    this.format = Objects.requireNonNull(format, "format");
    this.eosText = Objects.requireNonNull(eosText, "eosText");
  }

  @Override
  public double reward(String response, String label) {
    return wellFormed(response) ? 1.0 : 0.0;
  }

  /** Whether {@code response} has the expected shape. */
  public boolean wellFormed(String response) {
    String s = response.strip();
    if (!eosText.isEmpty() && s.endsWith(eosText)) s = s.substring(0, s.length() - eosText.length()).strip();
    int answer = s.indexOf("<answer>");
    if (answer < 0 || s.indexOf("<answer>", answer + 1) >= 0) return false;
    String verdict = s.substring(answer);
    if (!verdict.equals("<answer>[[A]]</answer>") && !verdict.equals("<answer>[[B]]</answer>")) return false;
    String body = s.substring(0, answer).strip();
    return switch (format) {
      case INSTRUCT -> chainOfRubrics(body);
      case REASONING -> {
        int think = body.indexOf("</think>");
        yield think >= 0 && body.indexOf("</think>", think + 1) < 0;
      }
    };
  }

  private static boolean chainOfRubrics(String body) {
    String[] order;
    if (body.startsWith("<type>Reasoning</type>")) {
      order = new String[] {"<solution>", "</solution>", "<eval>", "</eval>"};
    } else if (body.startsWith("<type>Chat</type>")) {
      order = new String[] {"<rubric>", "<justify>", "</justify>", "</rubric>", "<eval>", "</eval>"};
    } else {
      return false;
    }
    int at = 0;
    for (String tag : order) {
      at = body.indexOf(tag, at);
      if (at < 0) return false;
      at += tag.length();
    }
    return body.endsWith("</eval>") && body.lastIndexOf("</eval>") == at - "</eval>".length();
  }
}

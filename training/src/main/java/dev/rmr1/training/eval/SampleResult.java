package dev.rmr1.training.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.training.data.BadRecordException;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.JsonFields;
import dev.rmr1.training.data.Slot;
import dev.rmr1.training.reward.EvalVerdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One judged comparison, one line of the per-sample JSONL log:
 *
 * <pre>{"id", "meta": {...}, "seed", "swapped", "prompt": [{"role", "content"}...], "generation", "verdict", "correct"}</pre>
 *
 * {@code swapped} means the chosen response was in slot B; {@code verdict} is A, B, ERROR_BOTH or ERROR_NONE;
 * {@code correct} is 1 iff the verdict names the chosen slot.
 */
public record SampleResult(
    String id,
    Map<String, String> meta,
    long seed,
    boolean swapped,
    List<ChatMessage> prompt,
    String generation,
    EvalVerdict verdict,
    int correct) {

  public SampleResult {
    meta = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    prompt = List.copyOf(prompt);
    if (verdict != EvalVerdict.parse(generation)) {
      throw new IllegalArgumentException(
          "sample " + id + ": verdict " + verdict + " is not what the generation parses to");
    }
    if (correct != verdict.score(chosenSlot(swapped))) {
      throw new IllegalArgumentException(
          "sample " + id + ": correct=" + correct + " contradicts verdict " + verdict + " with swapped=" + swapped);
    }
  }

  /** Judges {@code generation} for a comparison whose chosen response was in slot B iff {@code swapped}. */
  public static SampleResult of(
      Comparison c, long seed, boolean swapped, List<ChatMessage> prompt, String generation) {
    EvalVerdict v = EvalVerdict.parse(generation);
    return new SampleResult(c.id(), c.meta(), seed, swapped, prompt, generation, v, v.score(chosenSlot(swapped)));
  }

  public static Slot chosenSlot(boolean swapped) {
    return swapped ? Slot.B : Slot.A;
  }

  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("id", id);
    ObjectNode m = o.putObject("meta");
    meta.forEach(m::put);
    o.put("seed", seed);
    o.put("swapped", swapped);
    o.set("prompt", JsonFields.toJson(prompt));
    o.put("generation", generation);
    o.put("verdict", verdict.name());
    o.put("correct", correct);
    return o;
  }

  /** Parses one log line; a malformed one is a {@link BadRecordException} naming the field. */
  public static SampleResult fromJson(JsonNode node) {
    JsonFields.requireObject(node, "sample");
    String id = JsonFields.text(node, "id", "");
    JsonNode m = JsonFields.requireObject(JsonFields.require(node, "meta", ""), "meta");
    Map<String, String> meta = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : m.properties()) meta.put(e.getKey(), JsonFields.text(m, e.getKey(), "meta"));
    JsonNode seed = JsonFields.require(node, "seed", "");
    if (!seed.isIntegralNumber()) throw new BadRecordException("seed: expected an integer");
    JsonNode swapped = JsonFields.require(node, "swapped", "");
    if (!swapped.isBoolean()) throw new BadRecordException("swapped: expected a boolean");
    List<ChatMessage> prompt =
        JsonFields.messages(node, "prompt", JsonFields.CHAT_ROLES, "");
    String generation = JsonFields.text(node, "generation", "");
    EvalVerdict verdict;
    try {
      verdict = EvalVerdict.valueOf(JsonFields.text(node, "verdict", ""));
    } catch (IllegalArgumentException e) {
      throw new BadRecordException("verdict: not one of A, B, ERROR_BOTH, ERROR_NONE");
    }
    JsonNode correct = JsonFields.require(node, "correct", "");
    if (!correct.isInt()) throw new BadRecordException("correct: expected 0 or 1");
    try {
      return new SampleResult(id, meta, seed.longValue(), swapped.booleanValue(), prompt, generation, verdict,
          correct.intValue());
    } catch (IllegalArgumentException e) {
      throw new BadRecordException(e.getMessage());
    }
  }
}

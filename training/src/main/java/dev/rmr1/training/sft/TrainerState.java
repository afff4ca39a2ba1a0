package dev.rmr1.training.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The position of a training run besides weights and optimizer: completed optimizer steps, the data position (epoch
 * and step within it), and the state of the dropout stream ({@link dev.rmr1.autograd.RandomState}), stored as
 * {@code trainer.json} in a checkpoint.
 *
 * @param stage {@code sft} or {@code grpo}, checked on load
 */
public record TrainerState(String stage, long step, int epoch, int stepInEpoch, long[] randomState) {
  public static final String FILE = "trainer.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  public TrainerState {
    if (step < 0 || epoch < 0 || stepInEpoch < 0) throw new IllegalArgumentException("negative position in " + stage + " state");
    randomState = randomState.clone();
  }

  public void write(Path dir) {
    ObjectNode o = JSON.createObjectNode();
    o.put("stage", stage);
    o.put("step", step);
    o.put("epoch", epoch);
    o.put("step_in_epoch", stepInEpoch);
    ArrayNode r = o.putArray("random_state");
    for (long v : randomState) r.add(v);
    try {
      Files.writeString(dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + dir.resolve(FILE), e);
    }
  }

  /** Reads {@code dir/trainer.json}, which must belong to {@code stage}. */
  public static TrainerState read(Path dir, String stage) {
    Path file = dir.resolve(FILE);
    JsonNode o;
    try {
      o = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
    for (String f : new String[] {"stage", "step", "epoch", "step_in_epoch", "random_state"})
      if (!o.hasNonNull(f)) throw new IllegalArgumentException(file + ": missing field '" + f + "'");
    if (!o.get("stage").asText().equals(stage))
      throw new IllegalArgumentException(file + ": a " + o.get("stage").asText() + " checkpoint, expected " + stage);
    JsonNode r = o.get("random_state");
    long[] rs = new long[r.size()];
    for (int i = 0; i < rs.length; i++) rs[i] = r.get(i).asLong();
    return new TrainerState(stage, o.get("step").asLong(), o.get("epoch").asInt(), o.get("step_in_epoch").asInt(), rs);
  }

  @Override
  public long[] randomState() {
    return randomState.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TrainerState s && stage.equals(s.stage) && step == s.step && epoch == s.epoch && stepInEpoch == s.stepInEpoch
        && java.util.Arrays.equals(randomState, s.randomState);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(stage, step, epoch, stepInEpoch) * 31 + java.util.Arrays.hashCode(randomState);
  }
}

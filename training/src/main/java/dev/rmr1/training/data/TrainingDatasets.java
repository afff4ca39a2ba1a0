package dev.rmr1.training.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Readers and writers for the two RM-R1 training record formats (spec 4), JSON array or JSON Lines:
 *
 * <ul>
 *   <li>RLVR: {@code {"context_messages": [{"role", "content"}...], "winner": "model_a"|"model_b"}};
 *   <li>SFT: the same fields, with the teacher trace (the future assistant reply) in {@code "winner"}.
 * </ul>
 *
 * Other fields are ignored. Roles must be system, user or assistant. Bad records are handled by {@link
 * BadRecordPolicy} and always reported with file and line.
 */
public final class TrainingDatasets {
  private TrainingDatasets() {}

  /** Parses one RLVR record; an unknown winner label is a bad record. */
  public static final JsonRecordReader.RecordParser<RlvrRecord> RLVR = node -> {
    JsonFields.requireObject(node, "record");
    var messages = JsonFields.messages(node, "context_messages", JsonFields.CHAT_ROLES, "");
    String label = JsonFields.text(node, "winner", "");
    Slot winner;
    try {
      winner = Slot.fromWinnerLabel(label);
    } catch (IllegalArgumentException e) {
      throw new BadRecordException("winner: " + e.getMessage());
    }
    return new RlvrRecord(messages, winner);
  };

  /** Parses one SFT record; the trace ({@code winner}) must be a non-empty string. */
  public static final JsonRecordReader.RecordParser<SftRecord> SFT = node -> {
    JsonFields.requireObject(node, "record");
    var messages = JsonFields.messages(node, "context_messages", JsonFields.CHAT_ROLES, "");
    String trace = JsonFields.text(node, "winner", "");
    if (trace.isEmpty()) throw new BadRecordException("winner: empty teacher trace");
    return new SftRecord(messages, trace);
  };

  public static JsonRecordReader.Loaded<RlvrRecord> readRlvr(Path file, BadRecordPolicy policy) {
    return JsonRecordReader.readAll(file, RLVR, policy);
  }

  public static JsonRecordReader.Loaded<SftRecord> readSft(Path file, BadRecordPolicy policy) {
    return JsonRecordReader.readAll(file, SFT, policy);
  }

  /** Streams RLVR records without holding the file in memory (the full RLVR set is ~64K long prompts). */
  public static ReadReport streamRlvr(Path file, BadRecordPolicy policy, Consumer<? super RlvrRecord> sink) {
    return JsonRecordReader.read(file, RLVR, policy, Long.MAX_VALUE, sink);
  }

  public static ReadReport streamSft(Path file, BadRecordPolicy policy, Consumer<? super SftRecord> sink) {
    return JsonRecordReader.read(file, SFT, policy, Long.MAX_VALUE, sink);
  }

  public static ObjectNode toJson(RlvrRecord r) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("context_messages", JsonFields.toJson(r.contextMessages()));
    o.put("winner", r.winner().winnerLabel());
    return o;
  }

  public static ObjectNode toJson(SftRecord r) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("context_messages", JsonFields.toJson(r.contextMessages()));
    o.put("winner", r.trace());
    return o;
  }

  /** Writes RLVR records as JSON Lines (UTF-8), replacing {@code file}. */
  public static void writeRlvrJsonl(Path file, Iterable<RlvrRecord> records) {
    writeJsonl(file, records, TrainingDatasets::toJson);
  }

  /** Writes SFT records as JSON Lines (UTF-8), replacing {@code file}. */
  public static void writeSftJsonl(Path file, Iterable<SftRecord> records) {
    writeJsonl(file, records, TrainingDatasets::toJson);
  }

  private static <T> void writeJsonl(Path file, Iterable<T> records, java.util.function.Function<T, JsonNode> json) {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (T r : records) {
        w.write(JsonRecordReader.MAPPER.writeValueAsString(json.apply(r)));
        w.write('\n');
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("serializing a record", e);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
  }
}

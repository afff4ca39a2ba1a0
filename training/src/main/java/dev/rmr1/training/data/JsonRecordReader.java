package dev.rmr1.training.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Streams records out of a JSON file that is either one JSON array of objects ({@code .json}, as the benchmark files
 * and Hugging Face {@code to_json(lines=False)} exports are) or JSON Lines (one object per line; {@code .jsonl}, or a
 * {@code .json} file whose first character is not {@code [}). Blank lines in JSON Lines are ignored.
 *
 * <p>Each record is handed to a {@link RecordParser}; a record it rejects ({@link BadRecordException}), or a JSON
 * Lines line that is not valid JSON, is either skipped and listed in the {@link ReadReport} ({@link
 * BadRecordPolicy#SKIP}) or stops the read with a {@link DatasetFormatException} ({@link BadRecordPolicy#FAIL}),
 * both naming the file and the record's first line. Invalid JSON inside a JSON array always stops the read: there
 * is no reliable place to resume parsing.
 */
public final class JsonRecordReader {
  private JsonRecordReader() {}

  /** Maps one JSON value to a record, or throws {@link BadRecordException} naming the offending field. */
  @FunctionalInterface
  public interface RecordParser<T> {
    T parse(JsonNode node);
  }

  /** Records and the report of one {@link #readAll} call. */
  public record Loaded<T>(List<T> records, ReadReport report) {}

  static final ObjectMapper MAPPER = new ObjectMapper();
  // A JSON Lines line must hold exactly one value; inside an array the parser moves on to the next element.
  private static final ObjectMapper LINE_MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Reads all records of {@code file} into memory. */
  public static <T> Loaded<T> readAll(Path file, RecordParser<T> parser, BadRecordPolicy policy) {
    return readAll(file, parser, policy, Long.MAX_VALUE);
  }

  /** Reads at most {@code limit} accepted records of {@code file} into memory. */
  public static <T> Loaded<T> readAll(Path file, RecordParser<T> parser, BadRecordPolicy policy, long limit) {
    List<T> out = new ArrayList<>();
    ReadReport report = read(file, parser, policy, limit, out::add);
    return new Loaded<>(List.copyOf(out), report);
  }

  /**
   * Streams the records of {@code file} to {@code sink}, stopping after {@code limit} accepted records.
   *
   * @throws DatasetFormatException for invalid JSON in an array, for an unreadable file, and under {@link
   *     BadRecordPolicy#FAIL} for the first bad record
   */
  public static <T> ReadReport read(
      Path file, RecordParser<T> parser, BadRecordPolicy policy, long limit, Consumer<? super T> sink) {
    if (limit < 0) throw new IllegalArgumentException("limit must be >= 0, got " + limit);
    Reading<T> r = new Reading<>(file, parser, policy, limit, sink);
    try {
      if (isJsonArray(file)) r.readArray();
      else r.readLines();
    } catch (IOException e) {
      throw new DatasetFormatException(file, 0, "cannot read: " + e.getMessage(), e);
    }
    return new ReadReport(file, r.accepted, r.skipped);
  }

  private static boolean isJsonArray(Path file) throws IOException {
    if (file.getFileName().toString().endsWith(".jsonl")) return false;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      int c;
      do {
        c = in.read();
      } while (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xEF || c == 0xBB || c == 0xBF);
      return c == '[';
    }
  }

  private static final class Reading<T> {
    final Path file;
    final RecordParser<T> parser;
    final BadRecordPolicy policy;
    final long limit;
    final Consumer<? super T> sink;
    final List<BadRecord> skipped = new ArrayList<>();
    long accepted;

    Reading(Path file, RecordParser<T> parser, BadRecordPolicy policy, long limit, Consumer<? super T> sink) {
      this.file = file;
      this.parser = parser;
      this.policy = policy;
      this.limit = limit;
      this.sink = sink;
    }

    void readArray() throws IOException {
      try (JsonParser p = MAPPER.getFactory().createParser(Files.newInputStream(file))) {
        try {
          JsonToken t = p.nextToken();
          if (t != JsonToken.START_ARRAY) {
            throw new DatasetFormatException(file, line(p.currentTokenLocation()), "expected a JSON array", null);
          }
          while (accepted < limit) {
            t = p.nextToken();
            if (t == JsonToken.END_ARRAY) break;
            if (t == null) throw new DatasetFormatException(file, line(p.currentLocation()), "unterminated JSON array", null);
            long line = line(p.currentTokenLocation());
            JsonNode node = MAPPER.readTree(p);
            offer(node, line);
          }
        } catch (JsonProcessingException e) {
          throw new DatasetFormatException(
              file, line(e.getLocation()), "invalid JSON (stops the read: cannot resume inside an array): "
                  + e.getOriginalMessage(), e);
        }
      }
    }

    void readLines() throws IOException {
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
        String text;
        long line = 0;
        while (accepted < limit && (text = in.readLine()) != null) {
          line++;
          if (line == 1 && text.startsWith("\uFEFF")) text = text.substring(1);
          if (text.isBlank()) continue;
          JsonNode node;
          try {
            node = LINE_MAPPER.readTree(text);
          } catch (JsonProcessingException e) {
            bad(line, "invalid JSON: " + e.getOriginalMessage(), e);
            continue;
          }
          offer(node, line);
        }
      }
    }

    private void offer(JsonNode node, long line) {
      T rec;
      try {
        rec = parser.parse(node);
      } catch (BadRecordException e) {
        bad(line, e.getMessage(), e);
        return;
      }
      accepted++;
      sink.accept(rec);
    }

    private void bad(long line, String reason, Exception cause) {
      if (policy == BadRecordPolicy.FAIL) throw new DatasetFormatException(file, line, reason, cause);
      skipped.add(new BadRecord(file, line, reason));
    }

    private static long line(JsonLocation loc) {
      return loc == null ? 0 : loc.getLineNr();
    }
  }
}

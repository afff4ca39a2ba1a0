package dev.rmr1.training.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.tensor.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only JSON Lines file of objects that each carry an integer {@code "step"}, flushed after
 * every line so a killed run keeps everything it logged. Opened for a resumed run, it first drops
 * the lines of steps after the resumed checkpoint (they will be logged again) and a torn last line
 * left by a kill, rewriting the file atomically, then appends.
 */
final class JsonlFile implements Closeable {
  private final Path path;
  private final BufferedWriter out;

  private JsonlFile(Path path, BufferedWriter out) {
    this.path = path;
    this.out = out;
  }

  /** A new, empty file (replacing one that is there). */
  static JsonlFile create(Path path) {
    return open(path, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /**
   * Keeps the lines with {@code step <= lastStep} (in their order) and appends after them; returns
   * the kept lines through {@code kept}. A missing file starts empty.
   */
  static JsonlFile resume(Path path, int lastStep, List<ObjectNode> kept) {
    List<ObjectNode> lines = Files.exists(path) ? read(path) : List.of();
    List<String> text = new ArrayList<>();
    for (ObjectNode n : lines) {
      if (n.get("step").asInt() <= lastStep) {
        kept.add(n);
        text.add(toLine(n));
      }
    }
    if (Files.exists(path)) {
      StringBuilder sb = new StringBuilder();
      for (String t : text) sb.append(t).append('\n');
      AtomicFiles.writeString(path, sb.toString());
    }
    return open(path, StandardOpenOption.APPEND);
  }

  private static JsonlFile open(Path path, StandardOpenOption mode) {
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      return new JsonlFile(path, Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + path + ": " + e, e);
    }
  }

  /**
   * Every object line of a file. A last line that does not parse is what a kill mid-write leaves,
   * and is dropped (one that parses but lacks its newline is kept; {@link #resume} rewrites the file
   * with every line terminated); a bad line before the last is an error naming it.
   */
  static List<ObjectNode> read(Path path) {
    String all;
    try {
      all = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e, e);
    }
    List<ObjectNode> out = new ArrayList<>();
    String[] lines = all.split("\n", -1); // the part after the last newline is the (possibly torn) tail
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      boolean last = i == lines.length - 1;
      if (line.isBlank()) continue;
      JsonNode n;
      try {
        n = Json.MAPPER.readTree(line);
      } catch (JsonProcessingException e) {
        if (last) break;
        throw new IllegalArgumentException(path + ":" + (i + 1) + ": not a JSON object: " + e.getOriginalMessage());
      }
      if (!(n instanceof ObjectNode o) || !o.path("step").canConvertToInt() || !o.path("step").isIntegralNumber())
        throw new IllegalArgumentException(path + ":" + (i + 1) + ": expected an object with an integer \"step\"");
      out.add(o);
    }
    return out;
  }

  /** Appends one line and flushes it to the operating system. */
  void append(ObjectNode line) {
    try {
      out.write(toLine(line));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path + ": " + e, e);
    }
  }

  private static String toLine(ObjectNode n) {
    try {
      return Json.MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + n, e);
    }
  }

  Path path() {
    return path;
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + path + ": " + e, e);
    }
  }
}

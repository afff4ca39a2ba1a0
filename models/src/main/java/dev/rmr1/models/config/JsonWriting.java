package dev.rmr1.models.config;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes configuration files the way transformers' {@code save_pretrained} does: keys sorted, two
 * space indent, {@code "key": value}, a final newline. The file is written next to its target and
 * moved into place, so a crash never leaves half a {@code config.json}.
 */
final class JsonWriting {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  private static final DefaultPrettyPrinter PRINTER = prettyPrinter();

  private JsonWriting() {}

  private static DefaultPrettyPrinter prettyPrinter() {
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    Separators separators =
        Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER);
    DefaultPrettyPrinter p = new DefaultPrettyPrinter(separators);
    p.indentObjectsWith(indenter);
    p.indentArraysWith(indenter);
    return p;
  }

  /** The text of {@code fields} (values: numbers, strings, booleans, null, lists, maps). */
  static String toJson(Map<String, ?> fields) {
    try {
      return MAPPER.writer(PRINTER).writeValueAsString(fields) + "\n";
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot serialise " + fields, e);
    }
  }

  static void write(Path file, Map<String, ?> fields) {
    Path parent = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
      // unique per writer, and created with the usual (umask) permissions, unlike createTempFile's 0600
      Path tmp = parent.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
          + Thread.currentThread().threadId() + ".tmp");
      Files.writeString(tmp, toJson(fields), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}

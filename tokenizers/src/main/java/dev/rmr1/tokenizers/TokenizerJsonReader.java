package dev.rmr1.tokenizers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a tokenizer.json with Jackson's streaming parser: the model's vocabulary and merges (300,000
 * entries for Qwen) go straight into their tables, the small rest becomes a JSON tree. A syntax error
 * names the file, the line and column, and the JSON path (as a JSON pointer).
 */
final class TokenizerJsonReader {
  /** Vocabulary keys are many and unique: no interning or canonicalizing of field names. */
  private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
      .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
      .build());

  private TokenizerJsonReader() {}

  /** The tree (with model.vocab and model.merges left out), the vocabulary and the merges. */
  record Parsed(ObjectNode root, Map<String, Integer> vocab, List<String[]> merges) {}

  static Parsed read(Path file) {
    String name = file.toString();
    try (InputStream in = Files.newInputStream(file);
         JsonParser p = MAPPER.getFactory().createParser(in)) {
      return read(p, name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }

  static Parsed read(String json, String name) {
    try (JsonParser p = MAPPER.getFactory().createParser(json)) {
      return read(p, name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Parsed read(JsonParser p, String name) throws IOException {
    try {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new TokenizerFormatException(name + ": $: expected a JSON object");
      ObjectNode root = MAPPER.createObjectNode();
      Map<String, Integer> vocab = null;
      List<String[]> merges = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (field.equals("model") && t == JsonToken.START_OBJECT) {
          ObjectNode model = MAPPER.createObjectNode();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("vocab") && v == JsonToken.START_OBJECT) vocab = readVocab(p, name);
            else if (f.equals("merges") && v == JsonToken.START_ARRAY) merges = readMerges(p, name);
            else model.set(f, p.readValueAsTree());
          }
          root.set(field, model);
        } else {
          root.set(field, p.readValueAsTree());
        }
      }
      if (p.nextToken() != null) throw new TokenizerFormatException(name + ": unexpected content after the top-level object");
      return new Parsed(root, vocab, merges);
    } catch (JsonProcessingException e) {
      String path = p.getParsingContext() == null ? "" : " (JSON path " + pointer(p) + ")";
      throw new TokenizerFormatException(name + ": malformed JSON at line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + path + ": " + e.getOriginalMessage(), e);
    }
  }

  private static String pointer(JsonParser p) {
    String ptr = p.getParsingContext().pathAsPointer().toString();
    return ptr.isEmpty() ? "$" : ptr;
  }

  private static Map<String, Integer> readVocab(JsonParser p, String name) throws IOException {
    Map<String, Integer> vocab = new HashMap<>(1 << 18);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String token = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
        throw new TokenizerFormatException(name + ": " + pointer(p) + ": expected an integer id, got " + p.currentToken());
      }
      vocab.put(token, p.getIntValue());
    }
    return vocab;
  }

  private static List<String[]> readMerges(JsonParser p, String name) throws IOException {
    List<String[]> merges = new ArrayList<>(1 << 18);
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == JsonToken.VALUE_STRING) {
        String s = p.getText();
        int sp = s.indexOf(' ');
        if (sp < 0) throw new TokenizerFormatException(name + ": $.model.merges[" + merges.size() + "]: expected a merge \"a b\", got \"" + s + "\"");
        merges.add(new String[] {s.substring(0, sp), s.substring(sp + 1)});
      } else if (t == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING) {
        String a = p.getText();
        String b = p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
        if (b == null || p.nextToken() != JsonToken.END_ARRAY) {
          throw new TokenizerFormatException(name + ": $.model.merges[" + merges.size() + "]: expected a pair [\"a\", \"b\"]");
        }
        merges.add(new String[] {a, b});
      } else {
        throw new TokenizerFormatException(name + ": $.model.merges[" + merges.size() + "]: expected a merge \"a b\" or [\"a\", \"b\"], got " + t);
      }
    }
    return merges;
  }
}

package dev.rmr1.training.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a YAML or JSON configuration file into {@link Setting}s, one per key, each remembering the
 * file and line it came from. Nested mappings become dotted keys; scalars stay text (converted
 * later by the key's type); an empty mapping switches a section on. A {@code .json} file is read
 * as JSON, any other as YAML.
 */
final class ConfigFile {
  private ConfigFile() {}

  static List<Setting> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("", file.toString(), "configuration file not found");
    } catch (IOException e) {
      throw new ConfigException("", file.toString(), "cannot read configuration file: " + e);
    }
    boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    List<Setting> out = new ArrayList<>();
    if (json) readJson(file, text, out);
    else readYaml(file, text, out);
    return out;
  }

  // ---- YAML: composed node tree (keeps line numbers) ------------------------------------------

  private static void readYaml(Path file, String text, List<Setting> out) {
    LoaderOptions opts = new LoaderOptions(); // duplicate keys are found below, with their line
    Node root;
    try (Reader r = new java.io.StringReader(text)) {
      root = new Yaml(new SafeConstructor(opts)).compose(r);
    } catch (YAMLException | IOException e) {
      throw new ConfigException("", file.toString(), "not valid YAML: " + e.getMessage().strip());
    }
    if (root == null) return; // an empty file sets nothing
    if (!(root instanceof MappingNode m)) throw new ConfigException("", origin(file, root), "the top level must be a mapping of keys");
    yamlMapping(file, m, "", out);
  }

  private static void yamlMapping(Path file, MappingNode m, String prefix, List<Setting> out) {
    if (m.getValue().isEmpty() && !prefix.isEmpty()) out.add(new Setting(prefix, Setting.ON, origin(file, m)));
    Set<String> seen = new HashSet<>();
    for (NodeTuple t : m.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) throw new ConfigException(prefix, origin(file, t.getKeyNode()), "keys must be plain names");
      String key = ConfigSchema.child(prefix, k.getValue());
      String where = origin(file, k);
      if (!seen.add(k.getValue())) throw new ConfigException(key, where, "duplicate key");
      Node v = t.getValueNode();
      switch (v) {
        case MappingNode mm -> yamlMapping(file, mm, key, out);
        case SequenceNode s -> {
          List<String> items = new ArrayList<>();
          for (Node item : s.getValue()) {
            if (!(item instanceof ScalarNode sc) || sc.getTag().equals(Tag.NULL))
              throw new ConfigException(key, origin(file, item), "list elements must be plain values");
            items.add(sc.getValue());
          }
          out.add(new Setting(key, items, where));
        }
        case ScalarNode sc -> out.add(new Setting(key, sc.getTag().equals(Tag.NULL) ? null : sc.getValue(), where));
        default -> throw new ConfigException(key, where, "unsupported YAML node " + v.getNodeId());
      }
    }
  }

  private static String origin(Path file, Node n) {
    return file + ":" + (n.getStartMark().getLine() + 1);
  }

  // ---- JSON: streaming parser (keeps line numbers) --------------------------------------------

  private static void readJson(Path file, String text, List<Setting> out) {
    JsonFactory f = JsonFactory.builder().enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    try (JsonParser p = f.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new ConfigException("", jsonOrigin(file, p), "the top level must be an object of keys");
      jsonObject(file, p, "", out);
      if (p.nextToken() != null) throw new ConfigException("", jsonOrigin(file, p), "unexpected content after the top-level object");
    } catch (JsonProcessingException e) {
      throw new ConfigException("", file + ":" + e.getLocation().getLineNr(), "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("", file.toString(), "cannot read configuration file: " + e);
    }
  }

  /** At START_OBJECT; consumes through the matching END_OBJECT. */
  private static void jsonObject(Path file, JsonParser p, String prefix, List<Setting> out) throws IOException {
    String objectOrigin = jsonOrigin(file, p);
    boolean empty = true;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      empty = false;
      String key = ConfigSchema.child(prefix, p.currentName());
      String where = jsonOrigin(file, p);
      JsonToken v = p.nextToken();
      switch (v) {
        case START_OBJECT -> jsonObject(file, p, key, out);
        case START_ARRAY -> {
          List<String> items = new ArrayList<>();
          JsonToken e;
          while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (!e.isScalarValue() || e == JsonToken.VALUE_NULL) throw new ConfigException(key, jsonOrigin(file, p), "list elements must be plain values");
            items.add(p.getText());
          }
          out.add(new Setting(key, items, where));
        }
        case VALUE_NULL -> out.add(new Setting(key, null, where));
        default -> out.add(new Setting(key, p.getText(), where));
      }
    }
    if (empty && !prefix.isEmpty()) out.add(new Setting(prefix, Setting.ON, objectOrigin));
  }

  private static String jsonOrigin(Path file, JsonParser p) {
    return file + ":" + p.currentTokenLocation().getLineNr();
  }
}

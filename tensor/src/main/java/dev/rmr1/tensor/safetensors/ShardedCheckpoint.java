package dev.rmr1.tensor.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rmr1.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A checkpoint split over several safetensors files and described by an index, as Hugging Face's
 * {@code save_pretrained} writes it ({@code model.safetensors.index.json}):
 *
 * <pre>{@code
 * {"metadata": {"total_size": 123456}, "weight_map": {"lm_head.weight": "model-00002-of-00002.safetensors", ...}}
 * }</pre>
 *
 * Every shard the map names is opened (mapped, its header validated) up front, and every name is
 * checked to be in its shard, so a broken checkpoint fails at {@code open}. Shard names must be
 * plain relative paths inside the index's directory. Tensors that a shard holds but the map does
 * not name are not visible, as in transformers.
 */
public final class ShardedCheckpoint implements SafeTensorsReader {
  private static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final Path index;
  private final Map<String, SafeTensorsFile> byName;
  private final List<SafeTensorsFile> shards;
  private final Map<String, String> metadata;

  private ShardedCheckpoint(Path index, Map<String, SafeTensorsFile> byName, List<SafeTensorsFile> shards, Map<String, String> metadata) {
    this.index = index;
    this.byName = byName;
    this.shards = shards;
    this.metadata = metadata;
  }

  static ShardedCheckpoint open(Path index) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(index));
    } catch (JsonProcessingException e) {
      throw new SafeTensorsException(index, null, "not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint index " + index + ": " + e, e);
    }
    if (root == null || !root.isObject()) throw new SafeTensorsException(index, null, "the index must be a JSON object");
    JsonNode map = root.get("weight_map");
    if (map == null || !map.isObject())
      throw new SafeTensorsException(index, null, "\"weight_map\" must be an object {tensor name: shard file}, got " + map);
    Map<String, String> metadata = indexMetadata(index, root.get("metadata"));
    Path dir = index.toAbsolutePath().getParent();

    Map<String, SafeTensorsFile> files = new TreeMap<>();
    Map<String, SafeTensorsFile> byName = new TreeMap<>();
    try {
      for (Map.Entry<String, JsonNode> e : map.properties()) {
        String name = e.getKey();
        if (!e.getValue().isTextual())
          throw new SafeTensorsException(index, name, "the weight_map value must be a shard file name, got " + e.getValue());
        String shardName = e.getValue().textValue();
        SafeTensorsFile shard = files.get(shardName);
        if (shard == null) {
          Path p = resolveShard(index, dir, name, shardName);
          if (!Files.isRegularFile(p))
            throw new SafeTensorsException(index, name, "shard file " + p + " does not exist");
          shard = SafeTensorsFile.open(p);
          files.put(shardName, shard);
        }
        if (!shard.contains(name))
          throw new SafeTensorsException(index, name, "the weight_map puts it in " + shardName + ", which has no such tensor");
        byName.put(name, shard);
      }
    } catch (RuntimeException e) {
      files.values().forEach(SafeTensorsFile::close);
      throw e;
    }
    return new ShardedCheckpoint(index, Collections.unmodifiableMap(byName), List.copyOf(files.values()), metadata);
  }

  /** A shard named in the index must stay inside the index's directory (no absolute paths, no "..") */
  private static Path resolveShard(Path index, Path dir, String tensor, String shardName) {
    Path base = dir.normalize();
    try {
      Path rel = Path.of(shardName);
      Path p = base.resolve(rel).normalize();
      if (!shardName.isEmpty() && !rel.isAbsolute() && p.startsWith(base) && !p.equals(base)) return p;
    } catch (InvalidPathException e) {
      // reported below
    }
    throw new SafeTensorsException(index, tensor, "shard file name \"" + shardName + "\" is not a file inside " + base);
  }

  private static Map<String, String> indexMetadata(Path index, JsonNode node) {
    if (node == null || node.isNull()) return Map.of();
    if (!node.isObject()) throw new SafeTensorsException(index, null, "\"metadata\" must be an object, got " + node);
    Map<String, String> m = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties())
      m.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
    return Collections.unmodifiableMap(m);
  }

  public Path indexFile() {
    return index;
  }

  /** The open shard files, sorted by file name (each has its own {@code metadata()}). */
  public List<SafeTensorsFile> shards() {
    return shards;
  }

  /** The shard holding {@code name}. */
  public SafeTensorsFile shardOf(String name) {
    SafeTensorsFile f = byName.get(name);
    if (f == null) throw new IllegalArgumentException(index + ": no tensor '" + name + "' in the weight_map of " + byName.size() + " tensors");
    return f;
  }

  @Override
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  @Override
  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  @Override
  public TensorInfo info(String name) {
    return shardOf(name).info(name);
  }

  @Override
  public Tensor tensor(String name) {
    return shardOf(name).tensor(name);
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public void close() {
    shards.forEach(SafeTensorsFile::close);
  }

  @Override
  public String toString() {
    return "ShardedCheckpoint[" + index + ", " + shards.size() + " shards, " + byName.size() + " tensors]";
  }
}

package dev.rmr1.tensor.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Writes a checkpoint directory as transformers' {@code save_pretrained} does:
 *
 * <ul>
 *   <li>tensors are packed into shards in the map's iteration order (pass a LinkedHashMap in module
 *       order, like a PyTorch state dict) with huggingface_hub's greedy rule: a tensor larger than
 *       the limit gets a shard of its own; otherwise it starts a new shard when it would push the
 *       current one past the limit (sizes are tensor data bytes, without headers);
 *   <li>one shard: {@code <base>.safetensors} and no index; several:
 *       {@code <base>-00001-of-00003.safetensors}, ... and {@code <base>.safetensors.index.json},
 *       {@code {"metadata": {"total_size": <data bytes>}, "weight_map": {name: shard}}} with sorted
 *       keys and two-space indentation (as json.dumps(indent=2, sort_keys=True));
 *   <li>each file is written atomically; afterwards, files of an earlier save under the same base
 *       name that the new one does not use (stale shards, a stale index or single file) are deleted,
 *       so the directory holds one consistent checkpoint. The save as a whole is not atomic: write to
 *       a fresh directory and rename it for that.
 * </ul>
 */
final class ShardedWriter {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ShardedWriter() {}

  static String indexName(String base) {
    return base + ".safetensors.index.json";
  }

  static List<Path> write(Path dir, String base, Map<String, Tensor> tensors, Map<String, String> metadata, long maxShardBytes) {
    if (maxShardBytes <= 0) throw new IllegalArgumentException("max shard size must be positive, got " + maxShardBytes);
    if (base.isEmpty() || base.contains("/") || base.contains("\\"))
      throw new IllegalArgumentException("checkpoint base name '" + base + "' must be a plain file name");
    List<Map<String, Tensor>> shards = plan(tensors, maxShardBytes);
    int n = shards.size();
    List<Path> written = new ArrayList<>();
    Map<String, String> weightMap = new TreeMap<>();
    long totalSize = 0;
    for (int i = 0; i < n; i++) {
      String fileName = n == 1 ? base + ".safetensors" : String.format("%s-%05d-of-%05d.safetensors", base, i + 1, n);
      Path p = dir.resolve(fileName);
      SafeTensorsWriter.write(p, shards.get(i), metadata);
      written.add(p);
      for (Map.Entry<String, Tensor> e : shards.get(i).entrySet()) {
        weightMap.put(e.getKey(), fileName);
        totalSize += e.getValue().byteSize();
      }
    }
    if (n > 1) {
      Path index = dir.resolve(indexName(base));
      AtomicFiles.write(index, indexJson(totalSize, weightMap));
      written.add(index);
    }
    deleteStale(dir, base, written);
    return List.copyOf(written);
  }

  /** Groups tensors into shards (see the class comment); at least one shard, possibly empty. */
  static List<Map<String, Tensor>> plan(Map<String, Tensor> tensors, long maxShardBytes) {
    List<Map<String, Tensor>> shards = new ArrayList<>();
    Map<String, Tensor> current = new LinkedHashMap<>();
    long currentBytes = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      long size = e.getValue().byteSize();
      if (size > maxShardBytes) {
        shards.add(Map.of(e.getKey(), e.getValue()));
        continue;
      }
      if (currentBytes + size > maxShardBytes) {
        shards.add(current);
        current = new LinkedHashMap<>();
        currentBytes = 0;
      }
      current.put(e.getKey(), e.getValue());
      currentBytes += size;
    }
    if (!current.isEmpty() || shards.isEmpty()) shards.add(current);
    return shards;
  }

  private static byte[] indexJson(long totalSize, Map<String, String> weightMap) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("metadata").put("total_size", totalSize);
    ObjectNode map = root.putObject("weight_map");
    weightMap.forEach(map::put);
    DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
        .withObjectIndenter(new DefaultIndenter("  ", "\n"))
        .withArrayIndenter(new DefaultIndenter("  ", "\n"));
    try {
      return (JSON.writer(pp).writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes {@code <base>.safetensors}, {@code <base>-NNNNN-of-NNNNN.safetensors} and the index unless just written. */
  private static void deleteStale(Path dir, String base, List<Path> written) {
    String b = Pattern.quote(base);
    Pattern ours = Pattern.compile(b + "(-\\d{5}-of-\\d{5})?\\.safetensors|" + b + "\\.safetensors\\.index\\.json");
    Set<Path> keep = new HashSet<>();
    for (Path p : written) keep.add(p.getFileName());
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files)
        if (ours.matcher(f.getFileName().toString()).matches() && !keep.contains(f.getFileName()) && Files.isRegularFile(f))
          Files.delete(f);
    } catch (IOException e) {
      throw new UncheckedIOException("wrote the checkpoint in " + dir + " but could not remove files of an earlier save: " + e, e);
    }
  }
}

package dev.rmr1.models.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which files of a model repository this project reads, and whether a directory has them all.
 * Needed: {@code config.json}; the generation config and tokenizer files that exist; and the
 * safetensors weights: the shards named by {@code model.safetensors.index.json} when there is one,
 * else {@code model.safetensors}, else every top-level {@code *.safetensors}. Everything else
 * (PyTorch {@code .bin}, GGUF, {@code original/} folders, README, images) is never downloaded.
 */
public final class ModelFiles {
  public static final String CONFIG = "config.json";
  public static final String WEIGHTS_INDEX = "model.safetensors.index.json";
  public static final String SINGLE_WEIGHTS = "model.safetensors";
  /** Optional metadata: generation defaults and tokenizer files (fast tokenizer, BPE vocab, templates). */
  private static final Set<String> OPTIONAL_METADATA = Set.of("generation_config.json", "tokenizer.json",
      "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt",
      "tokenizer.model", "chat_template.jinja", "chat_template.json");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ModelFiles() {}

  /** The config, optional metadata and weights index among {@code repoFiles}, sorted. */
  static List<String> metadataFiles(Collection<String> repoFiles) {
    TreeSet<String> out = new TreeSet<>();
    for (String f : repoFiles) {
      if (f.equals(CONFIG) || f.equals(WEIGHTS_INDEX) || OPTIONAL_METADATA.contains(f)) out.add(f);
    }
    return List.copyOf(out);
  }

  /**
   * The weight files to fetch. {@code dir} must already hold the index if {@code repoFiles} has one.
   *
   * @param where names the repository in errors
   * @throws IllegalStateException when there are no safetensors weights or the index names a shard
   *     that is not in {@code repoFiles}
   */
  static List<String> weightFiles(Path dir, Collection<String> repoFiles, String where) {
    if (repoFiles.contains(WEIGHTS_INDEX)) {
      List<String> shards = shards(dir.resolve(WEIGHTS_INDEX));
      for (String s : shards) {
        if (!repoFiles.contains(s)) {
          throw new IllegalStateException(where + ": " + WEIGHTS_INDEX + " names shard '" + s
              + "', which the repository does not have");
        }
      }
      return shards;
    }
    if (repoFiles.contains(SINGLE_WEIGHTS)) return List.of(SINGLE_WEIGHTS);
    List<String> all = repoFiles.stream().filter(f -> !f.contains("/") && f.endsWith(".safetensors")).sorted().toList();
    if (all.isEmpty()) {
      throw new IllegalStateException(where + " has no safetensors weights"
          + (repoFiles.stream().anyMatch(f -> f.endsWith(".bin")) ? " (only PyTorch .bin files, which this project does not read)" : ""));
    }
    return all;
  }

  /** The distinct shard file names in an index's {@code weight_map}, sorted. */
  public static List<String> shards(Path index) {
    JsonNode root;
    try {
      root = MAPPER.readTree(Files.readString(index));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + index, e);
    }
    JsonNode map = root.path("weight_map");
    if (!map.isObject() || map.isEmpty()) {
      throw new IllegalStateException(index + ": field 'weight_map' must be a non-empty object of tensor name -> shard file");
    }
    TreeSet<String> shards = new TreeSet<>();
    for (JsonNode v : map) {
      String s = v.asText("");
      if (!v.isTextual() || s.isEmpty() || s.startsWith("/") || s.contains("..") || s.contains("\\")) {
        throw new IllegalStateException(index + ": field 'weight_map' has an invalid shard file name " + v);
      }
      shards.add(s);
    }
    return List.copyOf(shards);
  }

  /**
   * What {@code dir} lacks to be loaded: {@code config.json}, shards named by the index, or any
   * safetensors file at all. Empty when complete.
   */
  public static List<String> missing(Path dir) {
    List<String> missing = new ArrayList<>();
    if (!Files.isRegularFile(dir.resolve(CONFIG))) missing.add(CONFIG);
    Path index = dir.resolve(WEIGHTS_INDEX);
    if (Files.isRegularFile(index)) {
      for (String s : shards(index)) {
        if (!Files.isRegularFile(dir.resolve(s))) missing.add(s + " (named by " + WEIGHTS_INDEX + ")");
      }
    } else if (!hasSafetensors(dir)) {
      missing.add("*.safetensors weights");
    }
    return missing;
  }

  private static boolean hasSafetensors(Path dir) {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.safetensors")) {
      for (Path p : s) if (Files.isRegularFile(p)) return true;
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}

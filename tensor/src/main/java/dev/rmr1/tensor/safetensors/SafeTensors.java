package dev.rmr1.tensor.safetensors;

import dev.rmr1.tensor.Tensor;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reading and writing Hugging Face safetensors files and sharded checkpoints.
 *
 * <pre>{@code
 * try (SafeTensorsFile f = SafeTensors.open(Path.of("model.safetensors"))) {
 *   Tensor w = f.tensor("model.embed_tokens.weight");   // zero-copy view of the mapped file
 * }
 * try (SafeTensorsReader ckpt = SafeTensors.openCheckpoint(Path.of("Qwen2.5-0.5B"))) { ... }
 * SafeTensors.write(Path.of("adapter_model.safetensors"), Map.of("w", w));
 * SafeTensors.writeCheckpoint(dir, stateDict, SafeTensors.DEFAULT_MAX_SHARD_BYTES);
 * }</pre>
 *
 * Reading maps files read-only (see {@link SafeTensorsFile}); malformed files fail with a
 * {@link SafeTensorsException}. Writing produces the bytes huggingface/safetensors would for the
 * same tensors and metadata (tensors ordered by dtype, larger element size first, then by name;
 * the header padded with spaces to a multiple of 8, so every tensor is aligned) and replaces files
 * atomically (temporary file, fsync, rename), so a crash never leaves a truncated checkpoint.
 */
public final class SafeTensors {
  /** transformers 4.x's default {@code max_shard_size} ("5GB" = 5 * 10^9 bytes). */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

  /** What transformers' and PEFT's savers put in {@code __metadata__}. */
  public static final Map<String, String> PT_METADATA = Map.of("format", "pt");

  private SafeTensors() {}

  /** Opens (maps and validates) one safetensors file. */
  public static SafeTensorsFile open(Path file) {
    requireLittleEndian();
    return SafeTensorsFile.open(file);
  }

  /**
   * Opens a checkpoint given as a {@code .safetensors} file, an index {@code .json} file, or a
   * directory holding {@code model.safetensors} or {@code model.safetensors.index.json} (looked
   * for in that order, as transformers does).
   */
  public static SafeTensorsReader openCheckpoint(Path path) {
    requireLittleEndian();
    if (Files.isDirectory(path)) {
      Path single = path.resolve("model.safetensors");
      if (Files.isRegularFile(single)) return SafeTensorsFile.open(single);
      Path index = path.resolve(ShardedWriter.indexName("model"));
      if (Files.isRegularFile(index)) return ShardedCheckpoint.open(index);
      throw new IllegalArgumentException("no checkpoint in " + path + ": expected model.safetensors or " + index.getFileName());
    }
    if (path.getFileName() != null && path.getFileName().toString().endsWith(".json")) return ShardedCheckpoint.open(path);
    return SafeTensorsFile.open(path);
  }

  /** Writes {@code tensors} to {@code file} with {@link #PT_METADATA}, atomically. */
  public static void write(Path file, Map<String, Tensor> tensors) {
    write(file, tensors, PT_METADATA);
  }

  /**
   * Writes {@code tensors} (any strides, any device; the map's order does not matter, the file's
   * order is Hugging Face's) and {@code metadata} (null or empty: no {@code __metadata__}) to
   * {@code file}, replacing it atomically; parent directories are created. Tensors sharing storage
   * are written as separate copies.
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    requireLittleEndian();
    SafeTensorsWriter.write(file, tensors, metadata);
  }

  /** {@link #writeCheckpoint(Path, String, Map, Map, long)} with base name "model" and {@link #PT_METADATA}. */
  public static List<Path> writeCheckpoint(Path dir, Map<String, Tensor> tensors, long maxShardBytes) {
    return writeCheckpoint(dir, "model", tensors, PT_METADATA, maxShardBytes);
  }

  /**
   * Writes a checkpoint directory as {@code save_pretrained} does: one {@code <base>.safetensors},
   * or shards {@code <base>-00001-of-0000N.safetensors} of at most {@code maxShardBytes} tensor
   * bytes plus {@code <base>.safetensors.index.json} ({@code {"metadata": {"total_size": ..},
   * "weight_map": {..}}}). Shards are filled in the map's iteration order (use a LinkedHashMap in
   * module order) by huggingface_hub's greedy rule: a tensor over the limit gets a shard of its own,
   * any other starts a new shard when it would overflow the current one. Each file is written
   * atomically, then files of an earlier save under the same base name that this one does not use
   * are deleted. Returns the files written (the index last).
   */
  public static List<Path> writeCheckpoint(Path dir, String baseName, Map<String, Tensor> tensors, Map<String, String> metadata,
      long maxShardBytes) {
    requireLittleEndian();
    return ShardedWriter.write(dir, baseName, tensors, metadata, maxShardBytes);
  }

  /** safetensors data is little-endian; tensors are used in native order without conversion. */
  private static void requireLittleEndian() {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
      throw new UnsupportedOperationException("safetensors I/O needs a little-endian platform; this one is " + ByteOrder.nativeOrder());
  }
}

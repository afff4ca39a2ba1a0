package dev.rmr1.tensor.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sharded checkpoints as transformers' save_pretrained writes them: model-0000i-of-0000n + index. */
class ShardedCheckpointTest {
  @TempDir Path dir;

  private static Map<String, Tensor> tensorsOfSizes(List<Integer> sizes, long seed) {
    Random r = new Random(seed);
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < sizes.size(); i++) {
      // Mixed dtypes: the byte sizes, not the element counts, decide the shards.
      DType dt = i % 3 == 0 ? DType.BF16 : DType.F32;
      m.put(String.format("layer.%02d.w", sizes.size() - i), SafeTensorsRoundTripTest.values(dt, new int[] {sizes.get(i)}, r));
    }
    return m;
  }

  /**
   * The shards follow huggingface_hub's greedy rule, checked through its invariants: a tensor over
   * the limit is alone; the other shards keep the input order, stay within the limit, and each
   * one's first tensor would not have fit into the shard before it.
   */
  @Property(tries = 40)
  void shardedRoundTripFollowsTheGreedyRule(@ForAll @Size(max = 9) List<@IntRange(max = 30) Integer> sizes,
      @ForAll @IntRange(min = 1, max = 100) int maxShardBytes, @ForAll long seed) throws IOException {
    Path d = Files.createTempDirectory("sharded");
    try (TensorScope scope = TensorScope.open()) {
      Map<String, Tensor> tensors = tensorsOfSizes(sizes, seed);
      List<Path> files = SafeTensors.writeCheckpoint(d, tensors, maxShardBytes);

      List<List<String>> shards = new ArrayList<>();
      int n = files.size() == 1 ? 1 : files.size() - 1;
      for (int i = 0; i < n; i++) {
        String expectedName = n == 1 ? "model.safetensors" : String.format("model-%05d-of-%05d.safetensors", i + 1, n);
        assertEquals(expectedName, files.get(i).getFileName().toString());
        try (SafeTensorsFile f = SafeTensors.open(files.get(i))) {
          assertEquals(Map.of("format", "pt"), f.metadata());
          List<String> inOrder = new ArrayList<>(f.names());
          inOrder.sort(Comparator.comparingLong(x -> f.info(x).dataOffsets()[0]));
          // Within one file the order is the safetensors writer's; restore the input order to compare.
          List<String> input = new ArrayList<>(tensors.keySet());
          inOrder.sort(Comparator.comparingInt(input::indexOf));
          shards.add(inOrder);
        }
      }
      List<String> regularOrder = new ArrayList<>();
      List<List<String>> regular = new ArrayList<>();
      for (List<String> s : shards) {
        long bytes = s.stream().mapToLong(x -> tensors.get(x).byteSize()).sum();
        if (s.size() == 1 && bytes > maxShardBytes) continue; // an oversize tensor alone
        assertTrue(bytes <= maxShardBytes, "shard " + s + " has " + bytes + " bytes > " + maxShardBytes);
        if (!regular.isEmpty()) {
          List<String> prev = regular.get(regular.size() - 1);
          long prevBytes = prev.stream().mapToLong(x -> tensors.get(x).byteSize()).sum();
          assertTrue(prevBytes + tensors.get(s.get(0)).byteSize() > maxShardBytes, "greedy: " + s.get(0) + " would have fit in " + prev);
        }
        regular.add(s);
        regularOrder.addAll(s);
      }
      assertEquals(tensors.keySet().stream().filter(x -> tensors.get(x).byteSize() <= maxShardBytes).toList(), regularOrder);
      assertEquals(tensors.size(), shards.stream().mapToInt(List::size).sum());

      try (SafeTensorsReader ckpt = SafeTensors.openCheckpoint(d)) {
        assertEquals(n > 1, ckpt instanceof ShardedCheckpoint);
        assertEquals(tensors.keySet().stream().sorted().toList(), ckpt.names());
        if (n > 1) assertEquals(String.valueOf(tensors.values().stream().mapToLong(Tensor::byteSize).sum()), ckpt.metadata().get("total_size"));
        for (var e : tensors.entrySet())
          assertArrayEquals(StTestFiles.bytes(e.getValue()), StTestFiles.bytes(ckpt.tensor(e.getKey())), e.getKey());
      }
    } finally {
      try (Stream<Path> s = Files.list(d)) {
        for (Path p : s.toList()) Files.delete(p);
      }
      Files.delete(d);
    }
  }

  @Test
  void indexHasTransformersLayout() throws IOException {
    try (TensorScope s = TensorScope.open()) {
      Map<String, Tensor> m = new LinkedHashMap<>();
      m.put("b", Tensor.of(new float[] {1, 2}, 2));
      m.put("a", Tensor.of(new float[] {3, 4, 5}, 3));
      SafeTensors.writeCheckpoint(dir, m, 12); // b (8 bytes) fills shard 1, a (12) does not fit beside it
    }
    // json.dumps(index, indent=2, sort_keys=True) + "\n", as transformers writes it.
    String expected = """
        {
          "metadata": {
            "total_size": 20
          },
          "weight_map": {
            "a": "model-00002-of-00002.safetensors",
            "b": "model-00001-of-00002.safetensors"
          }
        }
        """;
    assertEquals(expected, Files.readString(dir.resolve("model.safetensors.index.json")));
  }

  private List<String> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aNewSaveRemovesTheFilesOfTheOldOne() throws IOException {
    Files.writeString(dir.resolve("config.json"), "{}");
    Files.writeString(dir.resolve("model-extra.safetensors"), "not ours");
    try (TensorScope s = TensorScope.open()) {
      Map<String, Tensor> m = tensorsOfSizes(List.of(4, 4, 4), 1); // 8 or 16 bytes each
      SafeTensors.writeCheckpoint(dir, m, 16);
      assertEquals(List.of("config.json", "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
          "model-00003-of-00003.safetensors", "model-extra.safetensors", "model.safetensors.index.json"), listing());
      SafeTensors.writeCheckpoint(dir, m, 32);
      assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
          "model-extra.safetensors", "model.safetensors.index.json"), listing());
      SafeTensors.writeCheckpoint(dir, m, 1000);
      assertEquals(List.of("config.json", "model-extra.safetensors", "model.safetensors"), listing());
      SafeTensors.writeCheckpoint(dir, m, 16);
      assertEquals(List.of("config.json", "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
          "model-00003-of-00003.safetensors", "model-extra.safetensors", "model.safetensors.index.json"), listing());
    }
  }

  @Test
  void openCheckpointAcceptsFileIndexOrDirectory() throws IOException {
    Path single = dir.resolve("single");
    Path sharded = dir.resolve("sharded");
    try (TensorScope s = TensorScope.open()) {
      Map<String, Tensor> m = tensorsOfSizes(List.of(3, 5), 2);
      SafeTensors.writeCheckpoint(single, m, 1 << 20);
      SafeTensors.writeCheckpoint(sharded, m, 12);
      for (Path p : List.of(single, single.resolve("model.safetensors"), sharded, sharded.resolve("model.safetensors.index.json"))) {
        try (SafeTensorsReader r = SafeTensors.openCheckpoint(p)) {
          assertEquals(List.of("layer.01.w", "layer.02.w"), r.names(), p.toString());
          assertEquals(p.startsWith(sharded), r instanceof ShardedCheckpoint);
          assertArrayEquals(m.get("layer.01.w").toDoubleArray(), r.tensor("layer.01.w", Device.CPU).toDoubleArray());
          assertArrayEquals(new int[] {5}, r.info("layer.01.w").shape());
        }
      }
      try (ShardedCheckpoint c = (ShardedCheckpoint) SafeTensors.openCheckpoint(sharded)) {
        assertEquals(2, c.shards().size());
        assertEquals(sharded.resolve("model.safetensors.index.json"), c.indexFile());
        // layer.01.w (20 bytes) exceeds the 12-byte limit: it gets a shard of its own at once, ahead of the open one.
        assertEquals(sharded.resolve("model-00001-of-00002.safetensors"), c.shardOf("layer.01.w").path());
        assertEquals(sharded.resolve("model-00002-of-00002.safetensors"), c.shardOf("layer.02.w").path());
        assertEquals(Map.of("format", "pt"), c.shards().get(0).metadata());
      }
    }
    Path empty = Files.createDirectory(dir.resolve("empty"));
    var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.openCheckpoint(empty));
    assertTrue(e.getMessage().contains("model.safetensors.index.json"), e.getMessage());
  }

  @Test
  void tensorsOutliveTheCheckpointAndMappingsAreReleased() throws IOException {
    int live = MappedFile.liveMappings();
    Tensor kept;
    try (TensorScope s = TensorScope.open()) {
      SafeTensors.writeCheckpoint(dir, tensorsOfSizes(List.of(3, 5, 7), 3), 20);
    }
    try (SafeTensorsReader c = SafeTensors.openCheckpoint(dir)) {
      assertEquals(live + 3, MappedFile.liveMappings());
      kept = c.tensor("layer.02.w");
    }
    assertEquals(live + 1, MappedFile.liveMappings(), "only the shard with a live tensor stays mapped");
    assertEquals(5, kept.toDoubleArray().length);
    kept.close();
    assertEquals(live, MappedFile.liveMappings());
  }

  // ---------------------------------------------------------------- malformed indexes

  private Path index(String json) throws IOException {
    return Files.writeString(dir.resolve("model.safetensors.index.json"), json);
  }

  private void shard(String name, String... tensors) {
    try (TensorScope s = TensorScope.open()) {
      Map<String, Tensor> m = new LinkedHashMap<>();
      for (String t : tensors) m.put(t, Tensor.of(new float[] {1}, 1));
      SafeTensors.write(dir.resolve(name), m);
    }
  }

  private void rejects(Path index, String tensor, String fragment) {
    int live = MappedFile.liveMappings();
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.openCheckpoint(index).close());
    assertEquals(tensor, e.tensor(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    assertEquals(live, MappedFile.liveMappings(), "shards opened before the failure are closed again");
  }

  @Test
  void malformedIndexes() throws IOException {
    shard("s1.safetensors", "a", "b");
    shard("s2.safetensors", "c");
    rejects(index("{\"weight_map\": {\"a\": \"s1.safetensors\""), null, "not valid JSON");
    rejects(index("[]"), null, "must be a JSON object");
    rejects(index("{\"metadata\": {}}"), null, "\"weight_map\" must be an object");
    rejects(index("{\"weight_map\": {\"a\": 1}}"), "a", "must be a shard file name");
    rejects(index("{\"weight_map\": {\"a\": \"s1.safetensors\", \"z\": \"s3.safetensors\"}}"), "z", "does not exist");
    rejects(index("{\"weight_map\": {\"a\": \"s1.safetensors\", \"c\": \"s1.safetensors\"}}"), "c", "s1.safetensors, which has no such tensor");
    rejects(index("{\"weight_map\": {\"a\": \"../s1.safetensors\"}}"), "a", "is not a file inside");
    rejects(index("{\"weight_map\": {\"a\": \"/etc/passwd\"}}"), "a", "is not a file inside");
    rejects(index("{\"weight_map\": {\"a\": \"\"}}"), "a", "is not a file inside");
    rejects(index("{\"weight_map\": {\"a\": \"s1.safetensors\"}, \"metadata\": 5}"), null, "\"metadata\" must be an object");
    // A broken shard reports the shard's own problem, naming the shard file.
    StTestFiles.raw(dir.resolve("s4.safetensors"), "{\"d\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]);
    Path idx = index("{\"weight_map\": {\"a\": \"s1.safetensors\", \"d\": \"s4.safetensors\"}}");
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.openCheckpoint(idx));
    assertEquals(dir.resolve("s4.safetensors"), e.file());
    assertEquals("d", e.tensor());

    Path ok = index("{\"metadata\": {\"total_size\": 12, \"note\": \"x\"}, \"weight_map\": {\"a\": \"s1.safetensors\", \"c\": \"s2.safetensors\"}}");
    try (SafeTensorsReader c = SafeTensors.openCheckpoint(ok)) {
      assertEquals(List.of("a", "c"), c.names(), "tensors not in the weight_map are not visible");
      assertFalse(c.contains("b"));
      assertEquals(Map.of("total_size", "12", "note", "x"), c.metadata());
      var miss = assertThrows(IllegalArgumentException.class, () -> c.tensor("b"));
      assertTrue(miss.getMessage().contains("'b'"), miss.getMessage());
    }
  }

  @Test
  void invalidShardLimitsAndBaseNames() {
    try (Tensor t = Tensor.of(new float[] {1}, 1)) {
      assertThrows(IllegalArgumentException.class, () -> SafeTensors.writeCheckpoint(dir, Map.of("a", t), 0));
      assertThrows(IllegalArgumentException.class, () -> SafeTensors.writeCheckpoint(dir, "a/b", Map.of("a", t), null, 10));
    }
  }

  /** The tiny Qwen2 fixture, sharded at 100 kB and read back tensor by tensor. */
  @Test
  void fixtureModelReshardsAndReadsBack() throws Exception {
    Path original = Path.of(getClass().getResource("/tiny-qwen2-a/model.safetensors").toURI());
    try (TensorScope s = TensorScope.open(); SafeTensorsFile f = SafeTensors.open(original)) {
      List<Path> files = SafeTensors.writeCheckpoint(dir, f.tensors(), 100_000);
      assertEquals(7, files.size(), files.toString()); // 6 shards of <= 100 kB (510,208 data bytes) + the index
      JsonNode index = JsonMapper.builder().build().readTree(Files.readString(files.get(files.size() - 1), StandardCharsets.UTF_8));
      assertEquals(510_208, index.get("metadata").get("total_size").longValue());
      try (SafeTensorsReader c = SafeTensors.openCheckpoint(dir)) {
        assertEquals(f.names(), c.names());
        for (String n : f.names()) assertArrayEquals(StTestFiles.bytes(f.tensor(n)), StTestFiles.bytes(c.tensor(n)), n);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}

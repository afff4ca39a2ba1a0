package dev.rmr1.tensor.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.cpu.NativeMemory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mappings are released deterministically; writes are atomic. */
class SafeTensorsLifecycleTest {
  @TempDir Path dir;

  private Path fixture() throws Exception {
    return Path.of(getClass().getResource("/tiny-qwen2-a/model.safetensors").toURI());
  }

  @Test
  void mappingLivesUntilTheFileAndItsLastTensorAreClosed() throws Exception {
    int live = MappedFile.liveMappings();
    SafeTensorsFile f = SafeTensors.open(fixture());
    assertEquals(live + 1, MappedFile.liveMappings());
    Tensor a = f.tensor("model.norm.weight");
    Tensor b = f.tensor("lm_head.weight");
    Tensor view = b.transpose(0, 1);
    b.close();
    f.close();
    f.close(); // idempotent
    assertEquals(live + 1, MappedFile.liveMappings(), "tensors keep the mapping alive after the file is closed");
    var e = assertThrows(IllegalStateException.class, () -> f.tensor("model.norm.weight"));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertEquals(1.076524019241333, a.get(0), 0); // first value, read with numpy
    a.close();
    assertEquals(live + 1, MappedFile.liveMappings(), "a view of a closed tensor still holds the storage");
    assertEquals(64, view.size(0));
    view.close();
    assertEquals(live, MappedFile.liveMappings(), "unmapped as soon as the last holder is gone");
  }

  @Test
  void scopesReleaseMappedTensors() throws Exception {
    int live = MappedFile.liveMappings();
    try (SafeTensorsFile f = SafeTensors.open(fixture())) {
      try (TensorScope s = TensorScope.open()) {
        Map<String, Tensor> all = f.tensors();
        assertEquals(27, all.size());
        assertEquals(27, s.liveCount());
      }
    }
    assertEquals(live, MappedFile.liveMappings());
  }

  @Test
  void aTensorClosedOnAnotherThreadUnmapsTheFile() throws Exception {
    int live = MappedFile.liveMappings();
    Tensor t;
    try (SafeTensorsFile f = SafeTensors.open(fixture())) {
      t = f.tensor("model.embed_tokens.weight");
    }
    Thread other = new Thread(t::close);
    other.start();
    other.join();
    assertEquals(live, MappedFile.liveMappings());
    assertTrue(t.isClosed());
  }

  /** Opening, reading every tensor and closing, many times, leaves native memory and mappings where they were. */
  @Test
  void openingAndClosingManyTimesKeepsMemoryFlat() throws Exception {
    Path unaligned = StTestFiles.raw(dir.resolve("odd.safetensors"),
        "{\"a\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[0,32]}} ", new byte[32]); // data at byte 8 + 57
    long bytes = NativeMemory.liveBytes();
    int live = MappedFile.liveMappings();
    for (int i = 0; i < 300; i++) {
      for (Path p : List.of(fixture(), unaligned)) {
        try (SafeTensorsFile f = SafeTensors.open(p); TensorScope s = TensorScope.open()) {
          for (String n : f.names()) assertTrue(f.tensor(n).numel() > 0);
        }
      }
    }
    assertEquals(bytes, NativeMemory.liveBytes());
    assertEquals(live, MappedFile.liveMappings());
    // A failed open releases its mapping too.
    Path bad = StTestFiles.raw(dir.resolve("bad.safetensors"), "{\"a\":1}", new byte[0]);
    for (int i = 0; i < 50; i++) assertThrows(SafeTensorsException.class, () -> SafeTensors.open(bad));
    assertEquals(live, MappedFile.liveMappings());
  }

  /** Overwriting a file replaces it by rename: a reader that has the old file mapped keeps the old data. */
  @Test
  void overwritingAMappedFileLeavesItsReadersIntact() {
    Path p = dir.resolve("w.safetensors");
    try (Tensor t = Tensor.of(new float[] {1, 2, 3}, 3)) {
      SafeTensors.write(p, Map.of("w", t));
    }
    try (SafeTensorsFile old = SafeTensors.open(p); Tensor oldW = old.tensor("w")) {
      try (Tensor t = Tensor.of(new float[] {7, 8, 9, 10}, 4)) {
        SafeTensors.write(p, Map.of("w", t, "v", t));
      }
      assertArrayEquals(new float[] {1, 2, 3}, oldW.toFloatArray());
      try (SafeTensorsFile now = SafeTensors.open(p); Tensor w = now.tensor("w")) {
        assertArrayEquals(new float[] {7, 8, 9, 10}, w.toFloatArray());
        assertEquals(List.of("v", "w"), now.names());
      }
    }
  }

  @Test
  void writeCreatesParentDirectories() {
    Path p = dir.resolve("a/b/c.safetensors");
    try (Tensor t = Tensor.of(new float[] {1}, 1)) {
      SafeTensors.write(p, Map.of("w", t));
    }
    try (SafeTensorsFile f = SafeTensors.open(p)) {
      assertEquals(List.of("w"), f.names());
    }
  }
}

package dev.rmr1.nn.optim;

import static dev.rmr1.nn.optim.OptimTesting.bits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BinaryStateFileTest {
  @TempDir
  Path dir;

  private static Map<String, Tensor> sampleTensors() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    double[] v = {1.5, -2.25, 3.0e-5, 7, Math.PI, -0.0};
    for (DType dt : List.of(DType.F32, DType.F64, DType.BF16, DType.F16, DType.I32, DType.I64, DType.U8))
      m.put("t." + dt, Tensor.of(Device.CPU, dt, dt.isFloating() ? v : new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
    m.put("bool", Tensor.of(Device.CPU, DType.BOOL, new double[] {1, 0, 1}, 3));
    m.put("no.elements", Tensor.zeros(DType.F32, 0, 3));
    m.put("scalar", Tensor.scalar(Device.CPU, DType.F64, -4.5));
    try (Tensor base = Tensor.of(Device.CPU, DType.F32, v, 3, 2)) {
      m.put("transposed", base.transpose(0, 1));
    }
    return m;
  }

  @Test
  void roundTripsStringsAndTensorsOfEveryDtype() throws IOException {
    Path file = dir.resolve("s.state");
    Map<String, Tensor> tensors = sampleTensors();
    try {
      BinaryStateFile.write(file, w -> {
        w.putString("step", "42");
        w.putString("unicode", "ε = 1e-8 ✓");
        w.putString("empty", "");
        for (var e : tensors.entrySet()) w.putTensor(e.getKey(), e.getValue());
      });
      try (BinaryStateFile.Reader r = BinaryStateFile.open(file)) {
        assertEquals(Set.of("step", "unicode", "empty"), r.stringKeys());
        assertEquals(tensors.keySet(), r.tensorKeys());
        assertEquals("42", r.string("step"));
        assertEquals("ε = 1e-8 ✓", r.string("unicode"));
        assertEquals("", r.string("empty"));
        for (var e : tensors.entrySet()) {
          Tensor want = e.getValue();
          assertEquals(want.dtype(), r.dtype(e.getKey()));
          assertArrayEquals(want.shape(), r.shape(e.getKey()));
          try (Tensor got = Tensor.empty(want.dtype(), want.shape())) {
            r.read(e.getKey(), got);
            if (want.dtype().isFloating()) assertArrayEquals(bits(want.to(DType.F64)), bits(got.to(DType.F64)), e.getKey());
            else assertArrayEquals(want.toLongArray(), got.toLongArray(), e.getKey());
          }
        }
        try (Tensor wrong = Tensor.empty(DType.F32, 3, 2)) {
          var ex = assertThrows(IllegalArgumentException.class, () -> r.read("t.F32", wrong));
          assertTrue(ex.getMessage().contains("t.F32") && ex.getMessage().contains("[2, 3]") && ex.getMessage().contains("[3, 2]"), ex.getMessage());
        }
        var ex = assertThrows(IllegalArgumentException.class, () -> r.string("nope"));
        assertTrue(ex.getMessage().contains(file.toString()) && ex.getMessage().contains("nope"), ex.getMessage());
      }
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  @Test
  void replacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
    Path file = dir.resolve("a.state");
    BinaryStateFile.write(file, w -> w.putString("version", "old"));
    BinaryStateFile.write(file, w -> w.putString("version", "new"));
    try (BinaryStateFile.Reader r = BinaryStateFile.open(file)) {
      assertEquals("new", r.string("version"));
    }
    // A writer that fails half way leaves the previous file intact and cleans up.
    assertThrows(IllegalStateException.class, () -> BinaryStateFile.write(file, w -> {
      w.putString("version", "broken");
      throw new IllegalStateException("simulated crash");
    }));
    try (BinaryStateFile.Reader r = BinaryStateFile.open(file)) {
      assertEquals("new", r.string("version"));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void duplicateKeysAreRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> BinaryStateFile.write(dir.resolve("d.state"), w -> {
      w.putString("k", "1");
      try (Tensor t = Tensor.zeros(DType.F32, 1)) {
        w.putTensor("k", t);
      }
    }));
    assertTrue(e.getMessage().contains("'k' written twice"), e.getMessage());
  }

  @Test
  void detectsCorruptionTruncationAndForeignFiles() throws IOException {
    Path file = dir.resolve("c.state");
    try (Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 4)) {
      BinaryStateFile.write(file, w -> {
        w.putString("step", "3");
        w.putTensor("m", t);
      });
    }
    byte[] good = Files.readAllBytes(file);
    byte[] flipped = good.clone();
    flipped[good.length - 20] ^= 1; // inside the tensor data
    Files.write(file, flipped);
    var e = assertThrows(IOException.class, () -> BinaryStateFile.open(file).close());
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    Files.write(file, Arrays.copyOf(good, good.length - 30));
    e = assertThrows(IOException.class, () -> BinaryStateFile.open(file).close());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    Files.writeString(file, "{\"not\": \"a state file\"}");
    e = assertThrows(IOException.class, () -> BinaryStateFile.open(file).close());
    assertTrue(e.getMessage().contains("not an RM-R1 optimizer state file"), e.getMessage());
  }
}

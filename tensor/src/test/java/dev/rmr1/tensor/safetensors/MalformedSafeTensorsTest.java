package dev.rmr1.tensor.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a file can break the format fails at open with a SafeTensorsException that names the
 * file and, where there is one, the tensor; none reads out of bounds.
 */
class MalformedSafeTensorsTest {
  @TempDir Path dir;

  private static final String A4 = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";

  private Path file(String json, int dataBytes) {
    return StTestFiles.raw(dir.resolve("bad.safetensors"), json, new byte[dataBytes]);
  }

  /** Opens {@code file}, expects failure, checks that the message names the file, the tensor and {@code fragment}. */
  private static SafeTensorsException rejects(Path file, String tensor, String fragment) {
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.open(file).close());
    assertEquals(file, e.file());
    assertEquals(tensor, e.tensor(), e.getMessage());
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    if (tensor != null) assertTrue(e.getMessage().contains("tensor '" + tensor + "'"), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    return e;
  }

  // ---------------------------------------------------------------- length prefix

  @Test
  void emptyAndTruncatedLengthPrefix() throws IOException {
    for (int n : new int[] {0, 1, 7}) {
      Path f = Files.write(dir.resolve("short" + n + ".safetensors"), new byte[n]);
      rejects(f, null, "truncated: the file has " + n + " bytes");
    }
  }

  @Test
  void headerLengthPastTheEnd() {
    byte[] h = ("{" + A4 + "}").getBytes(StandardCharsets.UTF_8);
    rejects(StTestFiles.raw(dir.resolve("past.safetensors"), h.length + 5, h, new byte[4]), null, "runs past the end of the file");
  }

  @Test
  void headerLargerThan100MB() {
    rejects(StTestFiles.raw(dir.resolve("huge.safetensors"), 100_000_001, "{}".getBytes(), new byte[0]), null,
        "header length 100000001 exceeds the limit of 100000000 bytes");
    // A length with the top bit set is a huge unsigned number, not a negative one.
    rejects(StTestFiles.raw(dir.resolve("neg.safetensors"), -1, "{}".getBytes(), new byte[0]), null, "18446744073709551615");
  }

  // ---------------------------------------------------------------- header text

  @Test
  void invalidUtf8() {
    byte[] h = ("{\"a\u00e9\":{}}").getBytes(StandardCharsets.UTF_8);
    byte[] bad = Arrays.copyOf(h, h.length);
    bad[3] = (byte) 0xff; // first byte of the 2-byte é
    rejects(StTestFiles.raw(dir.resolve("utf.safetensors"), bad.length, bad, new byte[0]), null, "not valid UTF-8");
    byte[] overlong = {'{', '"', (byte) 0xc0, (byte) 0xaf, '"', ':', '1', '}'}; // "/" encoded in two bytes
    rejects(StTestFiles.raw(dir.resolve("overlong.safetensors"), overlong.length, overlong, new byte[0]), null, "at header byte 2");
  }

  @Test
  void invalidJson() {
    rejects(file("{\"a\":{\"dtype\":\"F32\",", 0), null, "not valid JSON");
    rejects(file("{} {}", 0), null, "not valid JSON");
    rejects(file("{\"a\" 1}", 0), null, "not valid JSON");
  }

  @Test
  void headerMustBeAnObjectStartingWithBrace() {
    rejects(file("[1, 2]", 0), null, "beginning with '{'");
    rejects(file(" {}", 0), null, "beginning with '{'");
    rejects(StTestFiles.raw(dir.resolve("zero.safetensors"), 0, new byte[0], new byte[0]), null, "N = 0");
  }

  @Test
  void duplicateTensorNames() {
    SafeTensorsException e = rejects(file("{" + A4 + "," + A4 + "}", 4), null, "Duplicate");
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
  }

  // ---------------------------------------------------------------- one tensor's entry

  @Test
  void unknownDtype() {
    rejects(file("{\"q\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "q", "unsupported dtype \"Q4\"");
    // I8 is a real safetensors dtype, but not one of ours: still a clear error, not a wrong reading.
    rejects(file("{\"q\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "q", "unsupported dtype \"I8\"");
    rejects(file("{\"q\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "q", "\"dtype\" must be a string");
    rejects(file("{\"q\":{\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "q", "missing");
  }

  @Test
  void badShapes() {
    rejects(file("{\"s\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}", 0), "s", "non-negative integers");
    rejects(file("{\"s\":{\"dtype\":\"U8\",\"shape\":[1.0],\"data_offsets\":[0,1]}}", 1), "s", "non-negative integers");
    rejects(file("{\"s\":{\"dtype\":\"U8\",\"shape\":[2147483648],\"data_offsets\":[0,1]}}", 1), "s", "below 2^31");
    rejects(file("{\"s\":{\"dtype\":\"U8\",\"shape\":\"1\",\"data_offsets\":[0,1]}}", 1), "s", "\"shape\" must be an array");
    rejects(file("{\"s\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", 1), "s", "missing");
  }

  @Test
  void badDataOffsets() {
    rejects(file("{\"o\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,2]}}", 1), "o", "[begin, end]");
    rejects(file("{\"o\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[-1,0]}}", 1), "o", "[begin, end]");
    rejects(file("{\"o\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1e0]}}", 1), "o", "[begin, end]");
    rejects(file("{\"o\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}", 1), "o", "[begin, end]");
    rejects(file("{\"o\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1), "o", "missing");
  }

  @Test
  void beginAfterEnd() {
    rejects(file("{\"r\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4), "r", "begin is after end");
  }

  @Test
  void offsetsOutOfRange() {
    rejects(file("{\"big\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 12), "big",
        "run past the end of the data section, which has 12 bytes");
  }

  @Test
  void overlappingTensors() {
    SafeTensorsException e = rejects(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "b", "overlap");
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    // Two names for the same bytes are an overlap too.
    rejects(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "b", "overlap");
  }

  @Test
  void holesAreRejected() {
    rejects(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "b", "data bytes [4, 8) before this tensor belong to no tensor");
    rejects(file("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "b", "[0, 4)");
    rejects(file("{" + A4 + "}", 8), null, "the last 4 belong to no tensor");
    rejects(file("{}", 3), null, "the last 3 belong to no tensor");
  }

  @Test
  void shapeTimesDtypeSizeMustMatchTheByteRange() {
    rejects(file("{\"m\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "m", "needs 12 bytes, but data_offsets [0, 8] hold 8");
    rejects(file("{\"m\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[0,4]}}", 4), "m", "needs 2 bytes");
    rejects(file("{\"m\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}", 8), "m",
        "overflows a 64-bit byte count");
  }

  @Test
  void entriesMustBeObjectsAndMetadataStrings() {
    rejects(file("{\"e\":5}", 0), "e", "expected an object");
    rejects(file("{\"__metadata__\":{\"format\":1}}", 0), null, "values must be strings");
    rejects(file("{\"__metadata__\":[\"pt\"]}", 0), null, "must be an object of strings");
  }

  @Test
  void missingFileAndDirectory() {
    Path missing = dir.resolve("nope.safetensors");
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SafeTensors.open(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertThrows(UncheckedIOException.class, () -> SafeTensors.open(dir));
  }

  @Test
  void unknownTensorNameIsAClearError() throws IOException {
    Path f = dir.resolve("ok.safetensors");
    try (Tensor t = Tensor.of(new float[] {1}, 1)) {
      SafeTensors.write(f, Map.of("model.norm.weight", t));
    }
    try (SafeTensorsFile st = SafeTensors.open(f)) {
      var e = assertThrows(IllegalArgumentException.class, () -> st.tensor("norm.weight"));
      assertTrue(e.getMessage().contains("'norm.weight'") && e.getMessage().contains("model.norm.weight") && e.getMessage().contains(f.toString()),
          e.getMessage());
    }
  }

  // ---------------------------------------------------------------- fuzzing

  private Path validFile() {
    Path f = dir.resolve("valid.safetensors");
    if (!Files.exists(f)) {
      try (TensorScope s = TensorScope.open()) {
        SafeTensors.write(f, Map.of("x", Tensor.of(new double[] {1, 2, 3}, 3), "y", Tensor.ofInts(new int[] {4, 5}, 2),
            "z", Tensor.of(new float[] {6}, 1, 1)));
      }
    }
    return f;
  }

  /** Every proper prefix of a valid file is rejected with a SafeTensorsException (never another exception). */
  @Test
  void everyTruncationIsRejected() throws IOException {
    byte[] all = Files.readAllBytes(validFile());
    Path cut = dir.resolve("cut.safetensors");
    for (int n = 0; n < all.length; n++) {
      Files.write(cut, Arrays.copyOf(all, n));
      assertThrows(SafeTensorsException.class, () -> SafeTensors.open(cut).close(), "prefix of " + n + " bytes");
    }
  }

  /** A corrupted byte anywhere gives either a clean SafeTensorsException or a file whose tensors all read. */
  @Property(tries = 300)
  void corruptedBytesFailCleanlyOrStillRead(@ForAll @IntRange(min = 0, max = 10_000) int where, @ForAll byte value) throws IOException {
    byte[] all = Files.readAllBytes(validFileForProperty());
    all[where % all.length] = value;
    Path f = Files.createTempFile("corrupt", ".safetensors");
    try {
      Files.write(f, all);
      try (SafeTensorsFile st = SafeTensors.open(f); TensorScope s = TensorScope.open()) {
        for (String n : st.names()) st.tensor(n).toDoubleArray();
      } catch (SafeTensorsException expected) {
        assertTrue(expected.getMessage().startsWith(f.toString()));
      }
    } finally {
      Files.delete(f);
    }
  }

  private static Path propertyFile;

  private static synchronized Path validFileForProperty() throws IOException {
    if (propertyFile == null) {
      propertyFile = Files.createTempFile("valid", ".safetensors");
      propertyFile.toFile().deleteOnExit();
      try (TensorScope s = TensorScope.open()) {
        SafeTensors.write(propertyFile, Map.of("x", Tensor.of(new double[] {1, 2, 3}, 3), "y", Tensor.ofInts(new int[] {4, 5}, 2),
            "z", Tensor.of(new float[] {6}, 1, 1)), Map.of("k", "v"));
      }
    }
    return propertyFile;
  }
}

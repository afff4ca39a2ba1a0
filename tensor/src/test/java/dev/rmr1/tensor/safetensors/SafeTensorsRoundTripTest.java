package dev.rmr1.tensor.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.cpu.NativeMemory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing then reading gives back every tensor bit for bit, in the layout Hugging Face's writer uses. */
class SafeTensorsRoundTripTest {
  enum Layout { DENSE, TRANSPOSED, STEPPED, BROADCAST }

  record Spec(String name, DType dtype, int[] shape, Layout layout) {
    @Override
    public String toString() {
      return name + " " + dtype + Arrays.toString(shape) + " " + layout;
    }
  }

  // ------------------------------------------------------------------ random tensors

  /** Random values that exercise the dtype's whole range (full 64-bit I64, signed I32, NaN/inf/-0 for floats). */
  static Tensor values(DType dt, int[] shape, Random r) {
    int n = Math.toIntExact(Tensor.numel(shape));
    if (dt == DType.I64) {
      long[] v = new long[n];
      for (int i = 0; i < n; i++) v[i] = r.nextLong();
      return Tensor.ofLongs(v, shape);
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = switch (dt) {
        case I32 -> r.nextInt();
        case BOOL -> r.nextInt(2);
        case U8 -> r.nextInt(256);
        default -> switch (r.nextInt(12)) {
          case 0 -> Double.NaN;
          case 1 -> Double.NEGATIVE_INFINITY;
          case 2 -> -0.0;
          default -> r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3);
        };
      };
    }
    return Tensor.of(Device.CPU, dt, v, shape);
  }

  /** A tensor of {@code shape} laid out as {@code layout}: dense, or a view with other strides. */
  static Tensor make(Spec s, Random r) {
    int[] shape = s.shape();
    Layout layout = shape.length == 0 ? Layout.DENSE : s.layout();
    if (layout == Layout.TRANSPOSED && shape.length < 2) layout = Layout.STEPPED;
    int[] base = shape.clone();
    switch (layout) {
      case TRANSPOSED -> { base[base.length - 1] = shape[shape.length - 2]; base[base.length - 2] = shape[shape.length - 1]; }
      case STEPPED -> base[0] = 2 * shape[0] + 1;
      case BROADCAST -> base[0] = 1;
      case DENSE -> {}
    }
    try (Tensor b = values(s.dtype(), base, r)) {
      return switch (layout) {
        case DENSE -> b.contiguous();
        case TRANSPOSED -> b.transpose(-1, -2);
        case STEPPED -> b.slice(0, 1, 2 * shape[0] + 1, 2);
        case BROADCAST -> b.expand(shape);
      };
    }
  }

  @Provide
  Arbitrary<List<Spec>> specs() {
    Arbitrary<String> names = Arbitraries.strings().withChars("ab.0_Z\u00e9\u20ac").ofMinLength(1).ofMaxLength(5);
    Arbitrary<int[]> shapes = Arbitraries.integers().between(0, 5).list().ofMaxSize(4)
        .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    Arbitrary<Spec> spec = Combinators.combine(names, Arbitraries.of(DType.class), shapes, Arbitraries.of(Layout.class)).as(Spec::new);
    return spec.list().ofMaxSize(7).uniqueElements(Spec::name);
  }

  // ------------------------------------------------------------------ properties

  @Property(tries = 80)
  void everyDtypeShapeAndLayoutRoundTripsBitForBit(@ForAll("specs") List<Spec> specs, @ForAll long seed) throws IOException {
    Random r = new Random(seed);
    Path file = Files.createTempFile("roundtrip", ".safetensors");
    try (TensorScope scope = TensorScope.open()) {
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (Spec s : specs) tensors.put(s.name(), make(s, r));
      SafeTensors.write(file, tensors, Map.of());

      checkLayout(StTestFiles.parse(file), tensors);

      long before = NativeMemory.liveBytes();
      try (SafeTensorsFile f = SafeTensors.open(file)) {
        assertEquals(tensors.keySet().stream().sorted().toList(), f.names());
        assertTrue(f.metadata().isEmpty());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
          Tensor want = e.getValue();
          TensorInfo info = f.info(e.getKey());
          assertEquals(want.dtype(), info.dtype());
          assertArrayEquals(want.shape(), info.shape());
          Tensor got = f.tensor(e.getKey());
          assertEquals(want.dtype(), got.dtype());
          assertArrayEquals(want.shape(), got.shape());
          assertTrue(got.isContiguous());
          assertArrayEquals(StTestFiles.bytes(want), StTestFiles.bytes(got), e.getKey());
          assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), e.getKey());
        }
      }
      // Every tensor is aligned in a file we wrote, so reading copied nothing: the tensors are views of the mapping.
      assertEquals(before, NativeMemory.liveBytes());
    } finally {
      Files.delete(file);
    }
  }

  /** Checks the file with plain byte arithmetic: header padding, Hugging Face's tensor order, alignment, data. */
  private static void checkLayout(StTestFiles.Parsed p, Map<String, Tensor> tensors) {
    assertEquals(0, p.headerLength() % 8, "header length is padded to a multiple of 8");
    String header = new String(p.headerBytes(), StandardCharsets.UTF_8);
    assertEquals(header.stripTrailing().length(), header.replaceAll(" +$", "").length(), "padding is spaces");
    assertFalse(p.header().has("__metadata__"), "empty metadata is omitted");
    List<String> hfOrder = new ArrayList<>(tensors.keySet());
    hfOrder.sort(Comparator.<String>comparingInt(n -> -SafeTensorsWriter.alignmentRank(tensors.get(n).dtype())).thenComparing(n -> n));
    List<String> headerOrder = new ArrayList<>();
    p.header().fieldNames().forEachRemaining(headerOrder::add);
    assertEquals(hfOrder, headerOrder);
    long at = 0;
    for (String name : hfOrder) {
      Tensor t = tensors.get(name);
      JsonNode e = p.header().get(name);
      assertEquals(t.dtype().name(), e.get("dtype").textValue());
      int[] shape = new int[e.get("shape").size()];
      for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).intValue();
      assertArrayEquals(t.shape(), shape);
      assertEquals(at, e.get("data_offsets").get(0).longValue(), name + " starts where the previous tensor ends");
      at += t.byteSize();
      assertEquals(at, e.get("data_offsets").get(1).longValue());
      assertEquals(0, (8 + p.headerLength() + e.get("data_offsets").get(0).longValue()) % t.dtype().byteSize(), name + " is aligned");
      assertArrayEquals(StTestFiles.bytes(t), p.data(name), name);
    }
    assertEquals(8 + p.headerLength() + at, p.file().length, "the data section is exactly the tensors");
  }

  @Provide
  Arbitrary<Map<String, String>> metadata() {
    // Any BMP text except lone surrogates (not valid Unicode), including quotes, backslashes and control characters.
    Arbitrary<String> text = Arbitraries.strings().withCharRange('\u0000', '\ud7ff').withCharRange('\ue000', '\uffff').ofMaxLength(12);
    return Arbitraries.maps(text, text).ofMaxSize(5);
  }

  @Property(tries = 60)
  void metadataRoundTrips(@ForAll("metadata") Map<String, String> metadata) throws IOException {
    Path file = Files.createTempFile("meta", ".safetensors");
    try (Tensor t = Tensor.of(new float[] {1, 2}, 2)) {
      SafeTensors.write(file, Map.of("w", t), metadata);
      try (SafeTensorsFile f = SafeTensors.open(file)) {
        assertEquals(new TreeMap<>(metadata), f.metadata());
      }
    } finally {
      Files.delete(file);
    }
  }

  // ------------------------------------------------------------------ examples

  @Test
  void metadataWithSupplementaryCharactersAndDefaults(@TempDir Path dir) {
    Path file = dir.resolve("m.safetensors");
    try (Tensor t = Tensor.of(new float[] {1}, 1)) {
      Map<String, String> m = Map.of("emoji \ud83d\ude00", "\"quoted\"\n\\ \u0001", "format", "pt");
      SafeTensors.write(file, Map.of("w", t), m);
      try (SafeTensorsFile f = SafeTensors.open(file)) {
        assertEquals(new TreeMap<>(m), f.metadata());
      }
      SafeTensors.write(file, Map.of("w", t));
      try (SafeTensorsFile f = SafeTensors.open(file)) {
        assertEquals(Map.of("format", "pt"), f.metadata(), "the default metadata is what transformers writes");
      }
      SafeTensors.write(file, Map.of("w", t), null);
      assertFalse(StTestFiles.parse(file).header().has("__metadata__"));
    }
  }

  /** The exact bytes of small files, worked out by hand from the format description. */
  @Test
  void exactBytesOfSmallFiles(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("a.safetensors");
    try (Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3)) {
      SafeTensors.write(file, Map.of("attn.0", t), null);
    }
    String json = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
    assertEquals(64, json.length()); // already a multiple of 8: no padding
    ByteBuffer want = ByteBuffer.allocate(8 + 64 + 24).order(ByteOrder.LITTLE_ENDIAN).putLong(64).put(json.getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 6; i++) want.putFloat(i);
    assertArrayEquals(want.array(), Files.readAllBytes(file));

    SafeTensors.write(file, Map.of(), null);
    assertArrayEquals(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '}, Files.readAllBytes(file));

    SafeTensors.write(file, Map.of(), Map.of("framework", "pt"));
    String meta = "{\"__metadata__\":{\"framework\":\"pt\"}}     "; // 35 characters + 5 spaces of padding
    ByteBuffer m = ByteBuffer.allocate(8 + 40).order(ByteOrder.LITTLE_ENDIAN).putLong(40).put(meta.getBytes(StandardCharsets.US_ASCII));
    assertArrayEquals(m.array(), Files.readAllBytes(file));
    try (SafeTensorsFile f = SafeTensors.open(file)) {
      assertTrue(f.names().isEmpty());
    }
  }

  /**
   * The fixtures were written by Hugging Face's safetensors (through transformers' save_pretrained
   * and safetensors.torch.save_file). Writing back what we read must reproduce them byte for byte.
   */
  @Test
  void rewritingHuggingFaceFilesReproducesThemExactly(@TempDir Path dir) throws Exception {
    for (String name : List.of("model.safetensors", "reference_logits.safetensors")) {
      Path original = Path.of(getClass().getResource("/tiny-qwen2-a/" + name).toURI());
      Path copy = dir.resolve(name);
      try (TensorScope s = TensorScope.open(); SafeTensorsFile f = SafeTensors.open(original)) {
        SafeTensors.write(copy, f.tensors(), f.metadata());
      }
      assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy), name);
    }
  }

  /**
   * A file whose header length is not a multiple of 8 (legal, if unusual) puts tensors at
   * unaligned addresses; they are copied to aligned memory and read correctly.
   */
  @Test
  void tensorsAtUnalignedOffsetsLoadCorrectly(@TempDir Path dir) {
    String json = "{\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[3,11]},"
        + "\"c\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[11,19]},"
        + "\"d\":{\"dtype\":\"BF16\",\"shape\":[1,1],\"data_offsets\":[19,21]}}";
    ByteBuffer data = ByteBuffer.allocate(21).order(ByteOrder.LITTLE_ENDIAN);
    data.put((byte) 7).put((byte) 200).put((byte) 0).putFloat(1.5f).putFloat(-2.25f).putLong(0x0102030405060708L)
        .putShort(DType.floatToBf16(3.0f));
    for (String pad : List.of("", " ", "  ", "   ")) { // shifts the data start through every residue
      Path file = StTestFiles.raw(dir.resolve("u" + pad.length() + ".safetensors"), json + pad, data.array());
      long before = NativeMemory.liveBytes();
      try (SafeTensorsFile f = SafeTensors.open(file); TensorScope s = TensorScope.open()) {
        assertArrayEquals(new double[] {7, 200, 0}, f.tensor("b").toDoubleArray());
        assertArrayEquals(new float[] {1.5f, -2.25f}, f.tensor("a").toFloatArray());
        assertArrayEquals(new long[] {0x0102030405060708L}, f.tensor("c").toLongArray());
        assertEquals(0, f.tensor("c").dim());
        assertEquals(3.0, f.tensor("d").get(0, 0));
        Tensor sum = f.tensor("a").sum();
        assertEquals(-0.75, sum.item(), 0);
      }
      assertEquals(before, NativeMemory.liveBytes(), "copies of unaligned tensors are freed with them");
    }
  }

  /**
   * A 3 GB file (sparse: the big tensor's pages are holes that read as zeros) with a tensor past
   * the 2 GB mark: reading it goes through 64-bit offsets of one mapping.
   */
  @Test
  void tensorsBeyondTwoGigabytesAreRead(@TempDir Path dir) throws IOException {
    Assumptions.assumeTrue(Files.getFileStore(dir).getUsableSpace() > (4L << 30), "needs room for a 3 GB file if holes are not supported");
    Path file = dir.resolve("big.safetensors");
    long big = 3_000_000_000L;
    String json = "{\"big\":{\"dtype\":\"U8\",\"shape\":[3,1000000000],\"data_offsets\":[0," + big + "]},"
        + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big + "," + (big + 8) + "]}}";
    json += " ".repeat((8 - json.length() % 8) % 8);
    long dataStart = 8 + json.length();
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(dataStart + big + 8);
      ByteBuffer head = ByteBuffer.allocate((int) dataStart).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length())
          .put(json.getBytes(StandardCharsets.US_ASCII));
      raf.write(head.array());
      raf.seek(dataStart + 2_999_999_999L);
      raf.write(77);
      raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.25f).putFloat(-8f).array());
    }
    try (SafeTensorsFile f = SafeTensors.open(file); TensorScope s = TensorScope.open()) {
      assertArrayEquals(new float[] {0.25f, -8f}, f.tensor("tail").toFloatArray());
      Tensor b = f.tensor("big");
      assertEquals(big, b.numel());
      assertEquals(77, b.get(2, 999_999_999));
      assertEquals(0, b.get(1, 5));
    }
  }

  @Test
  void writerRejectsBadNamesAndClosedTensors(@TempDir Path dir) {
    Path file = dir.resolve("bad.safetensors");
    try (Tensor t = Tensor.of(new float[] {1}, 1)) {
      var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("__metadata__", t)));
      assertTrue(e.getMessage().contains("reserved"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("x\ud800", t)));
      assertTrue(e.getMessage().contains("surrogate"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("w", t), Map.of("k", "\udc00")));
      assertTrue(e.getMessage().contains("metadata value"), e.getMessage());
    }
    Tensor closed = Tensor.of(new float[] {1}, 1);
    closed.close();
    var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("gone", closed)));
    assertTrue(e.getMessage().contains("'gone'") && e.getMessage().contains("closed"), e.getMessage());
    assertFalse(Files.exists(file));
  }

  @Test
  void loadedTensorsAreReadOnlyAndCopiesAreWritable(@TempDir Path dir) {
    Path file = dir.resolve("ro.safetensors");
    try (Tensor t = Tensor.of(new float[] {1, 2, 3}, 3)) {
      SafeTensors.write(file, Map.of("w", t));
    }
    try (SafeTensorsFile f = SafeTensors.open(file); TensorScope s = TensorScope.open()) {
      Tensor w = f.tensor("w");
      assertThrows(RuntimeException.class, () -> w.fill(0));
      Tensor c = w.copy().fill(5);
      assertArrayEquals(new float[] {5, 5, 5}, c.toFloatArray());
      assertArrayEquals(new float[] {1, 2, 3}, f.tensor("w").toFloatArray());
      assertArrayEquals(new float[] {1, 2, 3}, f.tensor("w", Device.CPU).toFloatArray());
    }
  }
}

package dev.rmr1.tensor.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.CpuStorage;
import dev.rmr1.tensor.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes one safetensors file the way huggingface/safetensors' {@code serialize} does, so that its
 * readers accept it and files round-trip byte for byte:
 *
 * <ul>
 *   <li>tensors ordered by dtype, larger alignment first (I64, F64, F32, I32, BF16, F16, U8, BOOL:
 *       the reference's {@code Dtype} enum order, descending), then by name. The order of the
 *       given map does not matter. With the header padded to a multiple of 8, this order puts every
 *       tensor at an offset that is a multiple of its element size, so readers can map it in place;
 *   <li>compact JSON: {@code "__metadata__"} first (keys sorted), then each tensor as
 *       {@code {"dtype":..,"shape":[..],"data_offsets":[begin,end]}};
 *   <li>the header padded with spaces to a multiple of 8 bytes; then the tensors' row-major bytes,
 *       little-endian, back to back.
 * </ul>
 *
 * Tensors may be views with any strides and may live on any device: each is brought to the host
 * as a dense copy (or written straight from its memory when it already is dense on the CPU), one
 * at a time. The file is replaced atomically ({@link AtomicFiles}).
 */
final class SafeTensorsWriter {
  private static final JsonFactory JSON = new JsonFactory();
  /** Bytes handed to one channel write; ByteBuffers cannot exceed 2 GB. */
  private static final long CHUNK = 1L << 26;

  private SafeTensorsWriter() {}

  static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    List<Map.Entry<String, Tensor>> order = fileOrder(file, tensors);
    byte[] header = header(file, order, metadata);
    AtomicFiles.write(file, out -> {
      AtomicFiles.writeFully(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
      AtomicFiles.writeFully(out, ByteBuffer.wrap(header));
      for (Map.Entry<String, Tensor> e : order) writeData(out, e.getValue());
    });
  }

  /** The reference writer's rank of each dtype (its {@code Dtype} enum order); larger comes first. */
  static int alignmentRank(DType d) {
    return switch (d) {
      case BOOL -> 0;
      case U8 -> 1;
      case F16 -> 2;
      case BF16 -> 3;
      case I32 -> 4;
      case F32 -> 5;
      case F64 -> 6;
      case I64 -> 7;
    };
  }

  static List<Map.Entry<String, Tensor>> fileOrder(Path file, Map<String, Tensor> tensors) {
    List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.size());
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      String name = e.getKey();
      Objects.requireNonNull(name, "tensor name");
      if (e.getValue() == null) throw new IllegalArgumentException("writing " + file + ": tensor '" + name + "' is null");
      if (e.getValue().isClosed()) throw new IllegalArgumentException("writing " + file + ": tensor '" + name + "' was closed");
      if (name.equals(HeaderParser.METADATA_KEY))
        throw new IllegalArgumentException("writing " + file + ": '" + name + "' is reserved for metadata and cannot name a tensor");
      requireUnicode(file, "tensor name", name);
      order.add(Map.entry(name, e.getValue()));
    }
    order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -alignmentRank(e.getValue().dtype()))
        .thenComparing(Map.Entry::getKey));
    return order;
  }

  /** JSON must be valid UTF-8, which a Java string with an unpaired surrogate cannot become. */
  private static void requireUnicode(Path file, String what, String s) {
    if (!StandardCharsets.UTF_8.newEncoder().canEncode(s))
      throw new IllegalArgumentException("writing " + file + ": " + what + " '" + s + "' is not valid Unicode (unpaired surrogate)");
  }

  /** The JSON header, padded with spaces to a multiple of 8 bytes. */
  static byte[] header(Path file, List<Map.Entry<String, Tensor>> order, Map<String, String> metadata) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      g.writeStartObject();
      if (metadata != null && !metadata.isEmpty()) {
        g.writeObjectFieldStart(HeaderParser.METADATA_KEY);
        for (Map.Entry<String, String> m : new TreeMap<>(metadata).entrySet()) {
          if (m.getValue() == null) throw new IllegalArgumentException("writing " + file + ": metadata '" + m.getKey() + "' is null");
          requireUnicode(file, "metadata key", m.getKey());
          requireUnicode(file, "metadata value", m.getValue());
          g.writeStringField(m.getKey(), m.getValue());
        }
        g.writeEndObject();
      }
      long offset = 0;
      for (Map.Entry<String, Tensor> e : order) {
        Tensor t = e.getValue();
        g.writeObjectFieldStart(e.getKey());
        g.writeStringField("dtype", t.dtype().safetensorsName());
        g.writeArrayFieldStart("shape");
        for (int d : t.shape()) g.writeNumber(d);
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(offset);
        offset += t.byteSize();
        g.writeNumber(offset);
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory
    }
    int pad = (8 - bytes.size() % 8) % 8;
    for (int i = 0; i < pad; i++) bytes.write(' ');
    if (bytes.size() > HeaderParser.MAX_HEADER_BYTES)
      throw new IllegalArgumentException("the safetensors header would be " + bytes.size() + " bytes, above the format's limit of "
          + HeaderParser.MAX_HEADER_BYTES + " (too many tensors or too much metadata for one file: shard the checkpoint)");
    return bytes.toByteArray();
  }

  /** The tensor's row-major bytes: straight from CPU memory when dense there, else from a dense host copy. */
  private static void writeData(FileChannel out, Tensor t) throws IOException {
    if (t.numel() == 0) return;
    try (Tensor host = t.to(Device.CPU)) {
      MemorySegment seg = ((CpuStorage) host.storage()).segment();
      long at = host.offset() * host.dtype().byteSize(), end = at + host.byteSize();
      for (long p = at; p < end; p += CHUNK) AtomicFiles.writeFully(out, seg.asSlice(p, Math.min(CHUNK, end - p)).asByteBuffer());
    }
  }
}

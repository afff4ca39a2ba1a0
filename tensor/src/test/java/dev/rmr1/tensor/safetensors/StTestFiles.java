package dev.rmr1.tensor.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.CpuStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Test helpers: raw safetensors files built byte by byte, and a reader independent of HeaderParser. */
final class StTestFiles {
  private StTestFiles() {}

  /** A file with the given 8-byte length field, header bytes and data bytes, nothing checked. */
  static Path raw(Path file, long headerLength, byte[] header, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(headerLength).put(header).put(data);
    try {
      Files.write(file, b.array());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** A file whose header is {@code json} (UTF-8, unpadded, length field correct) followed by {@code data}. */
  static Path raw(Path file, String json, byte[] data) {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    return raw(file, h.length, h, data);
  }

  /** The row-major bytes of a tensor (a dense copy's memory). */
  static byte[] bytes(Tensor t) {
    if (t.numel() == 0) return new byte[0]; // an empty view's offset may lie past its storage
    try (Tensor c = t.contiguous()) {
      long es = c.dtype().byteSize();
      return ((CpuStorage) c.storage()).segment().asSlice(c.offset() * es, c.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }
  }

  /** A parsed file, read with plain byte arithmetic and Jackson only (no code under test). */
  record Parsed(long headerLength, byte[] headerBytes, JsonNode header, byte[] file) {
    byte[] data(String name) {
      JsonNode off = header.get(name).get("data_offsets");
      int begin = off.get(0).intValue(), end = off.get(1).intValue();
      int at = (int) (8 + headerLength);
      return Arrays.copyOfRange(file, at + begin, at + end);
    }
  }

  static Parsed parse(Path file) {
    try {
      byte[] all = Files.readAllBytes(file);
      long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      byte[] h = Arrays.copyOfRange(all, 8, (int) (8 + n));
      return new Parsed(n, h, JsonMapper.builder().build().readTree(h), all);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.rmr1.tensor.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rmr1.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses and validates a safetensors header, following the format's rules (the safetensors
 * README, and {@code Metadata::validate} / {@code read_metadata} in huggingface/safetensors'
 * {@code tensor.rs}):
 *
 * <ul>
 *   <li>8 bytes: N, unsigned little-endian; N at most 100,000,000 (the reference limit), and
 *       8 + N within the file;
 *   <li>N bytes of UTF-8 JSON: an object that begins with '{' (trailing spaces pad it), with no
 *       duplicate keys; an optional {@code "__metadata__"} maps strings to strings; every other
 *       key is a tensor {@code {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}};
 *   <li>each tensor's {@code end - begin} equals numel(shape) times the dtype size (no overflow);
 *   <li>sorted by offsets, the tensors tile the data section exactly: no overlap, no hole, the
 *       last one ending at the end of the file (the README: "the byte buffer needs to be entirely
 *       indexed, and cannot contain holes").
 * </ul>
 *
 * Every number is checked before it is used, so a hostile file gives an error, never an
 * out-of-bounds read. Extra keys inside a tensor's entry are ignored, as the reference reader does.
 */
final class HeaderParser {
  /** The reference implementation's header limit ({@code MAX_HEADER_SIZE = 100_000_000}). */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  static final String METADATA_KEY = "__metadata__";

  private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
          // Jackson's default string limit (20 M chars) is below what a legal header may hold.
          .streamReadConstraints(StreamReadConstraints.builder().maxStringLength((int) MAX_HEADER_BYTES).build())
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  /**
   * A parsed header: metadata, tensors by name (sorted), and where the data section starts in the
   * file (8 + N).
   */
  record Header(Map<String, String> metadata, Map<String, TensorInfo> tensors, long dataStart) {}

  private HeaderParser() {}

  /** Parses the header of {@code file}, whose whole content is {@code bytes}. */
  static Header parse(Path file, MemorySegment bytes) {
    long size = bytes.byteSize();
    if (size < 8)
      throw new SafeTensorsException(file, null, "truncated: the file has " + size
          + " bytes, but a safetensors file starts with an 8-byte header length");
    long n = bytes.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (n < 0 || n > MAX_HEADER_BYTES)
      throw new SafeTensorsException(file, null, "header length " + Long.toUnsignedString(n)
          + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes (corrupt, or not a safetensors file)");
    if (8 + n > size)
      throw new SafeTensorsException(file, null, "header length " + n + " runs past the end of the file ("
          + size + " bytes, so at most " + (size - 8) + " header bytes): truncated file?");
    String text = decodeUtf8(file, bytes.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE));
    if (text.isEmpty() || text.charAt(0) != '{')
      throw new SafeTensorsException(file, null, "the header must be a JSON object beginning with '{', it begins with "
          + (text.isEmpty() ? "nothing (N = 0)" : "'" + text.substring(0, Math.min(20, text.length())) + "'"));
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new SafeTensorsException(file, null, "the header is not valid JSON: " + e.getOriginalMessage()
          + (loc == null ? "" : " (header line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")"), e);
    }
    long dataSize = size - 8 - n;
    Map<String, String> metadata = Map.of();
    List<TensorInfo> tensors = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (e.getKey().equals(METADATA_KEY)) metadata = parseMetadata(file, e.getValue());
      else tensors.add(parseTensor(file, e.getKey(), e.getValue(), dataSize));
    }
    checkTiling(file, tensors, dataSize);
    Map<String, TensorInfo> byName = new TreeMap<>();
    for (TensorInfo t : tensors) byName.put(t.name(), t);
    return new Header(metadata, Collections.unmodifiableMap(byName), 8 + n);
  }

  private static String decodeUtf8(Path file, byte[] raw) {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(raw);
    CharBuffer out = CharBuffer.allocate(raw.length);
    CoderResult r = dec.decode(in, out, true);
    if (!r.isError()) r = dec.flush(out);
    if (r.isError())
      throw new SafeTensorsException(file, null, "the header is not valid UTF-8: " + r.length()
          + " bad byte(s) starting with 0x" + String.format("%02x", raw[in.position()] & 0xff)
          + " at header byte " + in.position());
    return out.flip().toString();
  }

  private static Map<String, String> parseMetadata(Path file, JsonNode node) {
    if (node.isNull()) return Map.of();
    if (!node.isObject())
      throw new SafeTensorsException(file, null, "\"" + METADATA_KEY + "\" must be an object of strings, got " + clip(node));
    Map<String, String> m = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isTextual())
        throw new SafeTensorsException(file, null, "\"" + METADATA_KEY + "\" values must be strings (the format allows"
            + " only a string-to-string map), but \"" + e.getKey() + "\" is " + e.getValue());
      m.put(e.getKey(), e.getValue().textValue());
    }
    return Collections.unmodifiableMap(m);
  }

  private static TensorInfo parseTensor(Path file, String name, JsonNode node, long dataSize) {
    if (!node.isObject())
      throw new SafeTensorsException(file, name, "expected an object {\"dtype\", \"shape\", \"data_offsets\"}, got " + clip(node));
    JsonNode dt = node.get("dtype");
    if (dt == null || !dt.isTextual())
      throw new SafeTensorsException(file, name, "\"dtype\" must be a string, got " + clip(dt));
    DType dtype = DType.fromSafetensorsName(dt.textValue());
    if (dtype == null)
      throw new SafeTensorsException(file, name, "unsupported dtype \"" + dt.textValue() + "\" (supported: "
          + Arrays.toString(DType.values()) + ")");
    JsonNode sh = node.get("shape");
    if (sh == null || !sh.isArray())
      throw new SafeTensorsException(file, name, "\"shape\" must be an array of non-negative integers, got " + clip(sh));
    int[] shape = new int[sh.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = sh.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0)
        throw new SafeTensorsException(file, name, "\"shape\" must be an array of non-negative integers (each below 2^31),"
            + " got " + clip(sh));
      shape[i] = d.intValue();
    }
    JsonNode off = node.get("data_offsets");
    if (off == null || !off.isArray() || off.size() != 2 || !isOffset(off.get(0)) || !isOffset(off.get(1)))
      throw new SafeTensorsException(file, name, "\"data_offsets\" must be [begin, end] with non-negative integers, got " + clip(off));
    long begin = off.get(0).longValue(), end = off.get(1).longValue();
    if (begin > end)
      throw new SafeTensorsException(file, name, "data_offsets [" + begin + ", " + end + "]: begin is after end");
    if (end > dataSize)
      throw new SafeTensorsException(file, name, "data_offsets [" + begin + ", " + end + "] run past the end of the data"
          + " section, which has " + dataSize + " bytes: truncated file?");
    long bytes;
    try {
      long numel = 1;
      for (int d : shape) numel = Math.multiplyExact(numel, d);
      bytes = Math.multiplyExact(numel, dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new SafeTensorsException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype + " overflows a 64-bit byte count");
    }
    if (end - begin != bytes)
      throw new SafeTensorsException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
          + " bytes, but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  private static boolean isOffset(JsonNode v) {
    return v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 0;
  }

  /** Sorted by (begin, end), the byte ranges must follow each other with no gap and no overlap. */
  private static void checkTiling(Path file, List<TensorInfo> tensors, long dataSize) {
    List<TensorInfo> sorted = new ArrayList<>(tensors);
    sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long at = 0;
    TensorInfo prev = null;
    for (TensorInfo t : sorted) {
      if (t.begin() < at)
        throw new SafeTensorsException(file, t.name(), "data_offsets [" + t.begin() + ", " + t.end() + "] overlap those of tensor '"
            + prev.name() + "' [" + prev.begin() + ", " + prev.end() + "]");
      if (t.begin() > at)
        throw new SafeTensorsException(file, t.name(), "data bytes [" + at + ", " + t.begin() + ") before this tensor belong to"
            + " no tensor (the format forbids holes in the data section)");
      at = t.end();
      prev = t;
    }
    if (at != dataSize)
      throw new SafeTensorsException(file, null, "the tensors end at data byte " + at + " but the data section has " + dataSize
          + " bytes: the last " + (dataSize - at) + " belong to no tensor (the format forbids holes)");
  }

  private static String clip(JsonNode n) {
    if (n == null) return "nothing (missing)";
    String s = n.toString();
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}

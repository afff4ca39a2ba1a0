package dev.rmr1.nn.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Just enough of a safetensors reader for the fixture test (the project's reader lives on another
 * branch): 8-byte little-endian header length, JSON header, raw little-endian data; F32 and F64 only.
 */
final class MiniSafetensors {
  record Entry(String dtype, int[] shape, double[] values) {}

  private MiniSafetensors() {}

  static Map<String, Entry> readResource(String name) throws IOException {
    try (InputStream in = MiniSafetensors.class.getResourceAsStream(name)) {
      if (in == null) throw new IOException("test resource " + name + " not found");
      return parse(name, in.readAllBytes());
    }
  }

  static Map<String, Entry> parse(String name, byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = b.getLong(0);
    if (headerLength < 2 || headerLength > bytes.length - 8) throw new IOException(name + ": bad header length " + headerLength);
    JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8));
    int dataStart = 8 + (int) headerLength;
    Map<String, Entry> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) continue;
      String dtype = e.getValue().get("dtype").asText();
      JsonNode shapeNode = e.getValue().get("shape");
      int[] shape = new int[shapeNode.size()];
      long numel = 1;
      for (int i = 0; i < shape.length; i++) numel *= shape[i] = shapeNode.get(i).asInt();
      long begin = e.getValue().get("data_offsets").get(0).asLong(), end = e.getValue().get("data_offsets").get(1).asLong();
      int size = switch (dtype) {
        case "F32" -> 4;
        case "F64" -> 8;
        default -> throw new IOException(name + ": tensor '" + e.getKey() + "' has dtype " + dtype + "; only F32 and F64 are supported");
      };
      if (end - begin != numel * size || dataStart + end > bytes.length)
        throw new IOException(name + ": tensor '" + e.getKey() + "' data offsets [" + begin + ", " + end + ") do not fit its shape or the file");
      double[] v = new double[(int) numel];
      for (int i = 0; i < v.length; i++) {
        int at = dataStart + (int) begin + i * size;
        v[i] = size == 4 ? b.getFloat(at) : b.getDouble(at);
      }
      out.put(e.getKey(), new Entry(dtype, shape, v));
    }
    return out;
  }
}

package dev.rmr1.tokenizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class Utf8Test {

  /** Python's errors="replace" follows the same maximal-subpart rule as Rust's from_utf8_lossy. */
  @Test
  void lossyDecodingMatchesPythonAndRust() {
    for (JsonNode r : Refs.json("refs/utf8_lossy_refs.json")) {
      byte[] b = new byte[r.get("bytes").size()];
      for (int i = 0; i < b.length; i++) b[i] = (byte) r.get("bytes").get(i).intValue();
      assertEquals(r.get("text").textValue(), Utf8.decodeLossy(b, b.length), () -> Arrays.toString(b));
    }
  }

  @Property(tries = 300)
  void encodeMatchesTheJdkOnValidText(@ForAll String s) {
    String valid = Utf8.sanitize(s);
    byte[] buf = new byte[Utf8.maxBytes(valid.length())];
    int n = Utf8.encode(valid, 0, valid.length(), buf);
    assertArrayEquals(valid.getBytes(StandardCharsets.UTF_8), Arrays.copyOf(buf, n));
    assertEquals(valid, Utf8.decodeLossy(buf, n));
  }

  @Test
  void loneSurrogatesBecomeReplacementChars() {
    assertEquals("a\uFFFDb\uFFFD", Utf8.sanitize("a\uD800b\uDC00"));
    assertEquals("\uD83D\uDE00", Utf8.sanitize("\uD83D\uDE00"));
  }
}

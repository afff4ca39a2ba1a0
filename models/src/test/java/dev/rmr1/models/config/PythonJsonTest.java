package dev.rmr1.models.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Expected texts are what CPython 3's json.dumps(value, indent=2, sort_keys=True) printed for the same values. */
class PythonJsonTest {
  @Example
  void floatsAsPythonRepr() {
    Object[][] cases = {{0.0, "0.0"}, {-0.0, "-0.0"}, {1e-05, "1e-05"}, {0.0001, "0.0001"}, {1e-06, "1e-06"}, {1e16, "1e+16"},
        {1e15, "1000000000000000.0"}, {1234567890123456.0, "1234567890123456.0"}, {12345678901234567.0, "1.2345678901234568e+16"},
        {0.1, "0.1"}, {1.5e-05, "1.5e-05"}, {100.0, "100.0"}, {1e7, "10000000.0"}, {1e22, "1e+22"}, {-2.5e-300, "-2.5e-300"},
        {Double.MIN_VALUE, "5e-324"}, {Double.MAX_VALUE, "1.7976931348623157e+308"}, {0.1 + 0.2, "0.30000000000000004"},
        {123.456, "123.456"}, {9.999e-5, "9.999e-05"}, {Double.NaN, "NaN"}, {Double.NEGATIVE_INFINITY, "-Infinity"}};
    for (Object[] c : cases) assertEquals(c[1], PythonJson.dumps(c[0]), String.valueOf(c[0]));
  }

  /**
   * Any finite double: reads back exactly, no shorter decimal does, and the text has Python's shape
   * (fixed with a decimal in [1e-4, 1e16), else d[.ddd]e±XX).
   */
  @Property(tries = 2000)
  void floatReprIsShortestRoundTripInPythonsShape(@ForAll double x) {
    if (!Double.isFinite(x)) return;
    String s = PythonJson.repr(x);
    assertEquals(Double.doubleToRawLongBits(x), Double.doubleToRawLongBits(Double.parseDouble(s)), s);
    int digits = new BigDecimal(s).stripTrailingZeros().precision();
    if (x != 0 && digits > 1) {
      BigDecimal shorter = new BigDecimal(x).round(new MathContext(digits - 1, RoundingMode.HALF_EVEN));
      assertTrue(Double.parseDouble(shorter.toString()) != x, s + ": " + shorter + " is shorter and reads back too");
    }
    double a = Math.abs(x);
    if (a == 0 || (a >= 1e-4 && a < 1e16)) assertTrue(s.matches("-?\\d+\\.\\d+"), s);
    else assertTrue(s.matches("-?\\d(\\.\\d*[1-9])?e[-+]\\d{2,3}"), s);
  }

  @Example
  void nestedSortedIndentedAndAsciiEscaped() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("z", null);
    inner.put("a", List.of());
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("b", List.of(1, inner));
    v.put("a", Map.of());
    v.put("é", "ü\u007f\t\"\\/😀\u0001");
    assertEquals("""
        {
          "a": {},
          "b": [
            1,
            {
              "a": [],
              "z": null
            }
          ],
          "\\u00e9": "\\u00fc\\u007f\\t\\"\\\\/\\ud83d\\ude00\\u0001"
        }""", PythonJson.dumps(v));
    // Python sorts by code point: U+FFFF before U+1F600 (whose UTF-16 units sort first)
    assertEquals("{\n  \"\\uffff\": 2,\n  \"\\ud83d\\ude00\": 1\n}", PythonJson.dumps(Map.of("😀", 1, "\uffff", 2)));
    assertEquals("[\n  true,\n  false,\n  -7,\n  2.5\n]", PythonJson.dumps(List.of(true, false, -7L, 2.5f)));
  }

  @Example
  void rejectsWhatJsonCannotHold() {
    assertThrows(IllegalArgumentException.class, () -> PythonJson.dumps(Map.of(1, 2)));
    assertThrows(IllegalArgumentException.class, () -> PythonJson.dumps(new Object()));
  }

  @Example
  void writesAtomicallyLeavingNoTemporaryFile() throws IOException {
    Path dir = Files.createTempDirectory("pyjson");
    try {
      Path f = dir.resolve("sub/a.json");
      PythonJson.writeAtomically(f, "{}");
      PythonJson.writeAtomically(f, "[]");
      assertEquals("[]", Files.readString(f));
      try (Stream<Path> s = Files.list(f.getParent())) {
        assertEquals(List.of("a.json"), s.map(p -> p.getFileName().toString()).toList());
      }
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) Files.delete(p);
      }
    }
  }
}

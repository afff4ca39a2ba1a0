package dev.rmr1.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Expected texts are what CPython 3's json.dumps printed for the same values with the same arguments. */
class PythonJsonTest {
  private static final PythonJson HF = PythonJson.HF_FILE_STYLE;
  private static final ObjectMapper JACKSON = new ObjectMapper();

  @Example
  void floatsAsPythonRepr() {
    Object[][] cases = {{0.0, "0.0"}, {-0.0, "-0.0"}, {1e-05, "1e-05"}, {0.0001, "0.0001"}, {1e-06, "1e-06"}, {1e16, "1e+16"},
        {1e15, "1000000000000000.0"}, {1234567890123456.0, "1234567890123456.0"}, {12345678901234567.0, "1.2345678901234568e+16"},
        {0.1, "0.1"}, {1.5e-05, "1.5e-05"}, {100.0, "100.0"}, {1e7, "10000000.0"}, {1e22, "1e+22"}, {-2.5e-300, "-2.5e-300"},
        {Double.MIN_VALUE, "5e-324"}, {Double.MAX_VALUE, "1.7976931348623157e+308"}, {0.1 + 0.2, "0.30000000000000004"},
        {123.456, "123.456"}, {9.999e-5, "9.999e-05"}, {Double.NaN, "NaN"}, {Double.NEGATIVE_INFINITY, "-Infinity"}};
    for (Object[] c : cases) assertEquals(c[1], HF.dumps(c[0]), String.valueOf(c[0]));
  }

  /**
   * Any finite double: reads back exactly, no shorter decimal does, and the text has Python's shape
   * (fixed with a decimal in [1e-4, 1e16), else d[.ddd]e±XX).
   */
  @Property(tries = 2000)
  void floatReprIsShortestRoundTripInPythonsShape(@ForAll double x) {
    if (!Double.isFinite(x)) return;
    String s = PythonJson.floatRepr(x);
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
        }""", HF.dumps(v));
    // Python sorts by code point: U+FFFF before U+1F600 (whose UTF-16 units sort first)
    assertEquals("{\n  \"\\uffff\": 2,\n  \"\\ud83d\\ude00\": 1\n}", HF.dumps(Map.of("😀", 1, "\uffff", 2)));
    assertEquals("[\n  true,\n  false,\n  -7,\n  2.5\n]", HF.dumps(List.of(true, false, -7L, 2.5f)));
  }

  @Example
  void oneLineWithPythonsDefaultSeparators() {
    PythonJson oneLine = PythonJson.of(null, false, false);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", List.of(1, 2.5, "\u00e9\n"));
    m.put("b", null);
    assertEquals("{\"a\": [1, 2.5, \"\u00e9\\n\"], \"b\": null}", oneLine.dumps(m));
    assertEquals("{\"a\":[1,2]}", new PythonJson(null, ",", ":", false, false).dumps(Map.of("a", new Object[] {1, 2})));
    assertEquals("[\n  1,\n  {}\n]", PythonJson.of("  ", false, false).dumps(List.of(1, Map.of())));
    assertEquals("[\n1,\n[],\n{}\n]", PythonJson.of("", false, false).dumps(List.of(1, List.of(), Map.of())), "indent=0");
    assertEquals("1e-07", PythonJson.floatRepr(1e-7));
    assertEquals("123456789.0", PythonJson.floatRepr(123456789.0));
  }

  @Example
  void customSeparatorsStringIndentAndRawUnicode() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("x", null);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("b", List.of(1, inner));
    m.put("a", "\u00e9\u007f\ud83d\ude00\u0001");
    // json.dumps(m, indent='\t', separators=(';', '='), ensure_ascii=False): DEL and non-BMP kept, controls escaped
    assertEquals("{\n\t\"b\"=[\n\t\t1;\n\t\t{\n\t\t\t\"x\"=null\n\t\t}\n\t];\n\t\"a\"=\"\u00e9\u007f\ud83d\ude00\\u0001\"\n}",
        new PythonJson("\t", ";", "=", false, false).dumps(m));
    assertEquals("[\"c\", \"\\u00e9\", 0.1, 12345678901234567890, 2.5]", PythonJson.of(null, false, true)
        .dumps(new LinkedHashSet<>(List.of('c', new StringBuilder("\u00e9"), new BigDecimal("0.1"), new BigInteger("12345678901234567890"), 2.5f))));
  }

  /** Python allows str, int, float, bool and None keys, writes them as strings, and sorts the original keys. */
  @Example
  void nonStringKeysAsPython() {
    Map<Object, Object> m = new LinkedHashMap<>();
    m.put(10, "a");
    m.put(9L, "b");
    m.put(2.5, "c");
    m.put(true, "d");
    assertEquals("{\"true\": \"d\", \"2.5\": \"c\", \"9\": \"b\", \"10\": \"a\"}", PythonJson.of(null, true, false).dumps(m));
    Map<Object, Object> mixed = new LinkedHashMap<>();
    mixed.put("a", 1);
    mixed.put(1, 2);
    mixed.put(null, 3);
    mixed.put(false, 4);
    mixed.put(1.5, 5);
    assertEquals("{\"a\": 1, \"1\": 2, \"null\": 3, \"false\": 4, \"1.5\": 5}", PythonJson.of(null, false, false).dumps(mixed));
    var e = assertThrows(IllegalArgumentException.class, () -> PythonJson.of(null, true, false).dumps(mixed));
    assertTrue(e.getMessage().contains("'<' not supported"), e.getMessage());
  }

  @Example
  void rejectsWhatJsonCannotHold() {
    var e = assertThrows(IllegalArgumentException.class, () -> HF.dumps(List.of(new Object())));
    assertTrue(e.getMessage().contains("java.lang.Object is not JSON serializable"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> HF.dumps(Map.of(List.of(1), 2)));
    assertTrue(e.getMessage().contains("keys must be str, int, float, bool or None"), e.getMessage());
    List<Object> cyclic = new ArrayList<>(List.of(1));
    cyclic.add(Map.of("self", cyclic));
    e = assertThrows(IllegalArgumentException.class, () -> HF.dumps(cyclic));
    assertEquals("Circular reference detected", e.getMessage());
    Object[] array = {1, null};
    array[1] = array;
    assertThrows(IllegalArgumentException.class, () -> HF.dumps(array));
    // the same container twice is no cycle
    List<Integer> shared = List.of(1);
    assertEquals("[[1], [1]]", PythonJson.of(null, false, false).dumps(List.of(shared, shared)));
    assertThrows(IllegalArgumentException.class, () -> new PythonJson(null, null, ":", false, false));
  }

  /**
   * Any nesting of dicts, lists, strings (any UTF-16 units), integers and finite floats, in any
   * style: a JSON parser reads back the same value; ensure_ascii output is ASCII; one-line output
   * has no line break; and the indented output is the one-line output with whitespace added.
   */
  @Property(tries = 300)
  void readsBackAsTheSameValue(@ForAll("values") Object value, @ForAll boolean sortKeys, @ForAll boolean ensureAscii,
      @ForAll("indents") String indent) throws JsonProcessingException {
    PythonJson style = PythonJson.of(indent, sortKeys, ensureAscii);
    String text = style.dumps(value);
    JsonNode read = JACKSON.readTree(text);
    assertTrue(JACKSON.valueToTree(value).equals(NUMERIC_VALUE, read), text);
    if (ensureAscii) assertTrue(text.chars().allMatch(c -> c >= ' ' && c <= '~' || c == '\n' || c == '\t'), text);
    if (indent == null) assertTrue(text.indexOf('\n') < 0, text);
    else assertEquals(new PythonJson(null, ",", ": ", sortKeys, true).dumps(value),
        PythonJson.of(indent, sortKeys, true).dumps(value).replaceAll("\n[ \t]*", ""), "indent only adds line breaks and indentation");
  }

  /** Numbers equal by value (Jackson reads 7 as an int where the tree of a Long holds a long). */
  private static final Comparator<JsonNode> NUMERIC_VALUE = (a, b) -> a.isNumber() && b.isNumber()
      ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

  @Provide
  Arbitrary<String> indents() {
    return Arbitraries.of("  ", "\t", "", "    ").injectNull(0.3);
  }

  @Provide
  Arbitrary<Object> values() {
    Arbitrary<Object> leaf = Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(6), Arbitraries.longs(), Arbitraries.integers(),
        Arbitraries.doubles().filter(Double::isFinite), Arbitraries.of(true, false), Arbitraries.just(null));
    return Arbitraries.recursive(() -> leaf, inner -> Arbitraries.oneOf(
        inner.list().ofMaxSize(4).map(l -> (Object) l),
        Arbitraries.maps(Arbitraries.strings().all().ofMaxLength(4), inner).ofMaxSize(4).map(m -> (Object) m)), 0, 3);
  }
}

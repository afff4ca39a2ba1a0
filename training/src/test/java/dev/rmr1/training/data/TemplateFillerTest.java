package dev.rmr1.training.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class TemplateFillerTest {
  @Test
  void substitutedTextIsNeverRescanned() {
    String t = JudgePrompts.bundled().instructUserSingle();
    String out = TemplateFiller.fill(t, Map.of("question", "Q {answer_b}", "answer_a", "uses {answer_b} literally",
        "answer_b", "B"));
    assertEquals("[Client Question]\nQ {answer_b}\n\n[The Start of Chatbot A's Response]\nuses {answer_b} literally\n"
        + "[The End of Chatbot A's Response]\n\n[The Start of Chatbot B's Response]\nB\n"
        + "[The End of Chatbot B's Response]", out);
    // What chained replace() would have produced: the value of answer_a rewritten.
    String chained = t.replace("{question}", "Q").replace("{answer_a}", "uses {answer_b} literally")
        .replace("{answer_b}", "B");
    assertTrue(chained.contains("uses B literally"));
    assertFalse(out.contains("uses B literally"));
  }

  @Test
  void pythonBraceEscapesAndErrors() {
    assertEquals("{x} = 1", TemplateFiller.fill("{{x}} = {v}", Map.of("v", "1")));
    assertEquals(Set.of("v"), TemplateFiller.placeholders("{{x}} = {v}"));
    assertThrows(IllegalArgumentException.class, () -> TemplateFiller.fill("a } b", Map.of()));
    assertThrows(IllegalArgumentException.class, () -> TemplateFiller.fill("a { b", Map.of()));
    assertThrows(IllegalArgumentException.class, () -> TemplateFiller.fill("{a b}", Map.of()));
    var missing = assertThrows(IllegalArgumentException.class, () -> TemplateFiller.fill("{a}{b}", Map.of("a", "")));
    assertTrue(missing.getMessage().contains("{b}"), missing.getMessage());
    var extra = assertThrows(IllegalArgumentException.class, () -> TemplateFiller.fill("{a}", Map.of("a", "", "c", "")));
    assertTrue(extra.getMessage().contains("[c]"), extra.getMessage());
  }

  @Property(tries = 200)
  void fillingEqualsConcatenatingLiteralsAndValues(
      @ForAll @StringLength(max = 40) @Chars({'{', '}', 'a', '_', '\n', ' '}) @CharRange(from = 'A', to = 'z')
          String q,
      @ForAll @StringLength(max = 40) @Chars({'{', '}', 'b', '\n'}) @CharRange(from = 0x20, to = 0x7e) String a,
      @ForAll @StringLength(max = 40) String b) {
    for (String t : List.of(JudgePrompts.bundled().instructUserSingle(), JudgePrompts.bundled().reasoningUserSingle())) {
      Map<String, String> v = Map.of("question", q, "answer_a", a, "answer_b", b);
      assertEquals(reference(t, v), TemplateFiller.fill(t, v));
    }
  }

  // Independent reference: split the template at its fields with a regex (the real templates have no escapes).
  private static String reference(String t, Map<String, String> values) {
    Matcher m = Pattern.compile("\\{([a-z_0-9]+)\\}").matcher(t);
    StringBuilder sb = new StringBuilder();
    int last = 0;
    Map<String, Integer> seen = new LinkedHashMap<>();
    while (m.find()) {
      sb.append(t, last, m.start()).append(values.get(m.group(1)));
      seen.merge(m.group(1), 1, Integer::sum);
      last = m.end();
    }
    assertEquals(values.keySet(), seen.keySet());
    return sb.append(t.substring(last)).toString();
  }
}

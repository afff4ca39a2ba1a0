package dev.rmr1.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hand-written GPT-2/GPT-4/Qwen matchers and the java.util.regex translation of the same regexes
 * against the pieces Hugging Face's Split (Oniguruma) produces on 1,500 mixed strings.
 */
class SplitPatternTest {

  @ParameterizedTest
  @ValueSource(strings = {"qwen", "cl100k", "gpt2"})
  void fastMatcherAndRegexEqualHuggingFace(String name) {
    JsonNode spec = Refs.json("refs/split_refs.json").get(name);
    String pattern = spec.get("pattern").textValue();
    SplitPattern fast = FastSplitPatterns.forRegex(pattern);
    assertNotNull(fast, "the pattern should have a fast matcher");
    SplitPattern regex = new SplitPattern.Regex(SplitPattern.compileOniguruma(pattern, new JsonNodeAt(TextNode.valueOf(pattern), "$", "test")));
    for (JsonNode c : spec.get("cases")) {
      String text = c.get("text").textValue();
      List<String> expected = new ArrayList<>();
      c.get("pieces").forEach(p -> expected.add(p.textValue()));
      assertEquals(expected, pieces(fast, text), () -> name + " fast: " + Qwen3ParityTest.escape(text));
      assertEquals(expected, pieces(regex, text), () -> name + " regex: " + Qwen3ParityTest.escape(text));
    }
  }

  /** Regexes without a hand-written matcher (DeepSeek-V3-style splits, \w \d \S, (?i)) through java.util.regex. */
  @ParameterizedTest
  @ValueSource(strings = {"deepseek_digits", "deepseek_cjk", "deepseek_words", "words_digits", "case_insensitive"})
  void translatedRegexEqualsHuggingFace(String name) {
    JsonNode spec = Refs.json("refs/split_refs.json").get(name);
    String pattern = spec.get("pattern").textValue();
    SplitPattern regex = SplitPattern.regex(pattern, new JsonNodeAt(TextNode.valueOf(pattern), "$", "test"));
    for (JsonNode c : spec.get("cases")) {
      String text = c.get("text").textValue();
      List<String> expected = new ArrayList<>();
      c.get("pieces").forEach(p -> expected.add(p.textValue()));
      assertEquals(expected, pieces(regex, text), () -> name + ": " + Qwen3ParityTest.escape(text));
    }
  }

  static List<String> pieces(SplitPattern p, String text) {
    List<String> out = new ArrayList<>();
    new PreTokenizer.Split(p, SplitBehavior.ISOLATED, false).split(text, 0, text.length(), true, (s, a, b, o) -> out.add(s.substring(a, b)));
    return out;
  }
}

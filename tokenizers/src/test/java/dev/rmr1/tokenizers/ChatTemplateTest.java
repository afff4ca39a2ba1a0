package dev.rmr1.tokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Chat templates rendered byte for byte as transformers' jinja2 environment renders them. */
class ChatTemplateTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  static String template(String name) {
    try {
      return switch (name) {
        case "qwen3" -> Refs.json("qwen3/tokenizer_config.json").get("chat_template").textValue();
        case "qwen2.5" -> Files.readString(Refs.resource("templates/qwen2.5-instruct.jinja"));
        default -> Files.readString(Refs.resource("templates/" + name + ".jinja"));
      };
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void rendersAsHuggingFace() {
    Map<String, ChatTemplate> templates = new HashMap<>();
    int n = 0;
    for (JsonNode r : Refs.json("refs/chat_refs.json")) {
      String name = r.get("template").textValue();
      ChatTemplate t = templates.computeIfAbsent(name, k -> new ChatTemplate(template(k)));
      List<?> messages = MAPPER.convertValue(r.get("messages"), List.class);
      List<?> tools = r.get("tools").isNull() ? null : MAPPER.convertValue(r.get("tools"), List.class);
      Map<String, Object> special = MAPPER.convertValue(r.get("special_tokens"), Map.class);
      Map<String, Object> extra = MAPPER.convertValue(r.get("extra"), Map.class);
      boolean gen = r.get("add_generation_prompt").booleanValue();
      String what = name + " " + r.get("messages") + " gen=" + gen;
      if (r.has("error")) {
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> t.render(messages, tools, gen, special, extra), what);
        assertTrue(e.getMessage().contains(r.get("error").textValue()), () -> what + ": " + e.getMessage());
      } else {
        assertEquals(r.get("rendered").textValue(), t.render(messages, tools, gen, special, extra), what);
      }
      n++;
    }
    assertEquals(120, n);
  }

  @Test
  void qwen3FixtureRenderings() {
    ChatTemplate t = new ChatTemplate(template("qwen3"));
    for (JsonNode r : Refs.json("qwen3/qwen3_chat_template_refs.json")) {
      List<?> messages = MAPPER.convertValue(r.get("messages"), List.class);
      assertEquals(r.get("rendered").textValue(), t.render(messages, r.get("add_generation_prompt").booleanValue(),
          Map.of("eos_token", "<|im_end|>", "pad_token", "<|endoftext|>")));
    }
  }

  /** The prompt forms of RM-R1-SPEC.md section 2.1, written out by hand. */
  @Test
  void rmR1PromptForms() {
    String sys = "You are a judge.", user = "Compare {A} and {B}.\n";
    List<Map<String, String>> instruct = List.of(Map.of("role", "system", "content", sys), Map.of("role", "user", "content", user));
    assertEquals("<|im_start|>system\n" + sys + "<|im_end|>\n<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n",
        new ChatTemplate(template("qwen2.5")).render(instruct, true, Map.of("eos_token", "<|im_end|>")));
    List<Map<String, String>> withReply = List.of(Map.of("role", "system", "content", sys), Map.of("role", "user", "content", user),
        Map.of("role", "assistant", "content", "<answer>[[A]]</answer>"));
    assertTrue(new ChatTemplate(template("qwen2.5")).render(withReply, false, Map.of())
        .endsWith("<|im_start|>assistant\n<answer>[[A]]</answer><|im_end|>\n"));
    String bos = "<\uff5cbegin\u2581of\u2581sentence\uff5c>";
    assertEquals(bos + "<\uff5cUser\uff5c>" + user + "<\uff5cAssistant\uff5c><think>\n",
        new ChatTemplate(template("deepseek-r1-distill-qwen")).render(List.of(Map.of("role", "user", "content", user)), true, Map.of("bos_token", bos)));
  }

  @Test
  void slicesWithAStepAreRewritten() {
    assertEquals("{% for m in (messages|py_slice(none, none, -1)) %}", JinjaSource.prepare("{% for m in messages[::-1] %}"));
    assertEquals("{{ (a.b(1)[0]|py_slice(1, none, 2)) }} x[::-1]", JinjaSource.prepare("{{ a.b(1)[0][1::2] }} x[::-1]"));
    assertEquals(" namespace(a=(true), b=(xs|length - 1), c=(f(d=(1))))", JinjaSource.wrapKeywordArguments(" namespace(a=true, b=xs|length - 1, c=f(d=1))"));
    assertEquals(" x == 1 and f(y) != 2", JinjaSource.wrapKeywordArguments(" x == 1 and f(y) != 2"));
    ChatTemplate t = new ChatTemplate("{% set xs = [1, 2, 3, 4] %}{{ 'abcdef'[::2] }}|{{ xs[-1:0:-2]|join(',') }}|{{ xs[::-1]|join(',') }}|{{ xs[5::-3]|join(',') }}");
    assertEquals("ace|4,2|4,3,2,1|4,1", t.render(List.of(), false, Map.of()));
  }

  /** transformers' tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False); expected texts from jinja2 with it. */
  @Test
  void tojsonTakesTransformersArguments() {
    Map<String, Object> extra = Map.of("d", Map.of("\u00e9", List.of(1, 2.5)));
    assertEquals("{\"\u00e9\": [1, 2.5]}", new ChatTemplate("{{ d|tojson }}").render(List.of(), null, false, Map.of(), extra));
    assertEquals("{\"\\u00e9\": [1, 2.5]}", new ChatTemplate("{{ d|tojson(true) }}").render(List.of(), null, false, Map.of(), extra));
    assertEquals("{\n--\"\u00e9\": [\n----1,\n----2.5\n--]\n}", new ChatTemplate("{{ d|tojson(indent='--') }}").render(List.of(), null, false, Map.of(), extra));
    assertEquals("{\"\u00e9\"=[1;2.5]}", new ChatTemplate("{{ d|tojson(false, none, (';', '=')) }}").render(List.of(), null, false, Map.of(), extra));
    assertEquals("{\"a\": 1, \"b\": 2}", new ChatTemplate("{{ {'b': 2, 'a': 1}|tojson(sort_keys=1) }}").render(List.of(), false, Map.of()));
    assertEquals("\"x\"", new ChatTemplate("{{ 'x'|safe|tojson }}").render(List.of(), false, Map.of()));
    ChatTemplateException e = assertThrows(ChatTemplateException.class,
        () -> new ChatTemplate("{{ 1|tojson(indnet=2) }}").render(List.of(), false, Map.of()));
    assertTrue(e.getMessage().contains("unexpected keyword argument 'indnet'"), e.getMessage());
    e = assertThrows(ChatTemplateException.class,
        () -> new ChatTemplate("{{ d|tojson }}").render(List.of(), null, false, Map.of(), Map.of("d", List.of(new Object()))));
    assertTrue(e.getMessage().contains("not JSON serializable"), e.getMessage());
  }

  @Test
  void undefinedMethodsAreErrors() {
    ChatTemplateException e = assertThrows(ChatTemplateException.class,
        () -> new ChatTemplate("{{ 'x'.no_such_method() }}").render(List.of(), false, Map.of()));
    assertTrue(e.getMessage().contains("no_such_method"), e.getMessage());
  }
}

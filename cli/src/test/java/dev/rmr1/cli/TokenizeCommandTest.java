package dev.rmr1.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.tokenizers.PretrainedTokenizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ./rmr1 tokenize} through Main.commandLine() with redirected standard streams. */
class TokenizeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path tokenizerDir() throws Exception {
    return Path.of(TokenizeCommandTest.class.getResource("/tokenizer/tokenizer.json").toURI()).getParent();
  }

  private static List<JsonNode> run(byte[] stdin, String... args) throws Exception {
    InputStream oldIn = System.in;
    PrintStream oldOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setIn(new ByteArrayInputStream(stdin));
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      assertEquals(0, Main.commandLine().execute(args));
    } finally {
      System.setIn(oldIn);
      System.setOut(oldOut);
    }
    List<JsonNode> lines = new java.util.ArrayList<>();
    for (String l : out.toString(StandardCharsets.UTF_8).split("\n")) if (!l.isEmpty()) lines.add(JSON.readTree(l));
    return lines;
  }

  private static int[] ids(JsonNode n) {
    return JSON.convertValue(n.get("ids"), int[].class);
  }

  @Test
  void textLinesGiveIdsAndBadLinesGiveNumberedErrors() throws Exception {
    Path dir = tokenizerDir();
    var tok = PretrainedTokenizer.load(dir).tokenizer();
    String input = "{\"text\": \"Hello word <L> x\"}\n"
        + "not json\n"
        + "\n"
        + "{\"txt\": 1}\n"
        + "{\"text\": \"caf\u00e9 \u4f60\u597d\"}\n";
    List<JsonNode> out = run(input.getBytes(StandardCharsets.UTF_8), "tokenize", "--tokenizer", dir.toString());
    assertEquals(4, out.size());
    assertArrayEquals(tok.encode("Hello word <L> x", false), ids(out.get(0)));
    assertTrue(out.get(1).get("error").textValue().startsWith("line 2: malformed JSON"), out.get(1).toString());
    assertTrue(out.get(2).get("error").textValue().startsWith("line 4: "), out.get(2).toString());
    assertArrayEquals(tok.encode("caf\u00e9 \u4f60\u597d", false), ids(out.get(3)));
  }

  @Test
  void aMissingTokenizerIsAnErrorMessage() {
    java.io.StringWriter err = new java.io.StringWriter();
    var cmd = Main.commandLine();
    cmd.setErr(new java.io.PrintWriter(err));
    assertEquals(2, cmd.execute("tokenize", "--tokenizer", "/nonexistent/dir"));
    assertTrue(err.toString().contains("/nonexistent/dir"), err.toString());
  }

  @Test
  void invalidUtf8IsReplacedLikePython() throws Exception {
    Path dir = tokenizerDir();
    var tok = PretrainedTokenizer.load(dir).tokenizer();
    byte[] in = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', 'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'b', '"', '}', '\n'};
    List<JsonNode> out = run(in, "tokenize", "--tokenizer", dir.resolve("tokenizer.json").toString());
    // Python: b"a\xed\xa0\x80b".decode("utf-8", "replace") == "a\ufffd\ufffd\ufffdb"
    assertArrayEquals(tok.encode("a\uFFFD\uFFFD\uFFFDb", false), ids(out.get(0)));
  }

  @Test
  void chatLinesGiveRenderedTextAndIds() throws Exception {
    Path dir = tokenizerDir();
    var pre = PretrainedTokenizer.load(dir);
    String input = "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi <R>\"}], \"add_generation_prompt\": true}\n"
        + "{\"messages\": [{\"role\": \"user\", \"content\": \"Q\"}], \"add_generation_prompt\": true, \"enable_thinking\": false}\n"
        + "{\"messages\": 3}\n"
        + "{\"messages\": [{\"role\": \"user\", \"content\": \"Q\"}], \"add_generation_prompt\": \"yes\"}\n";
    List<JsonNode> out = run(input.getBytes(StandardCharsets.UTF_8), "tokenize", "--tokenizer", dir.toString(), "--chat");
    assertEquals(4, out.size());
    String first = "<|im_start|>user\nHi <R><|im_end|>\n<|im_start|>assistant\n";
    assertEquals(first, out.get(0).get("text").textValue());
    assertArrayEquals(pre.tokenizer().encode(first, false), ids(out.get(0)));
    assertEquals(pre.applyChatTemplate(List.of(Map.of("role", "user", "content", "Q")), null, true, Map.of("enable_thinking", false)),
        out.get(1).get("text").textValue());
    assertTrue(out.get(1).get("text").textValue().endsWith("<think>\n\n</think>\n\n"));
    assertTrue(out.get(2).get("error").textValue().startsWith("line 3: "), out.get(2).toString());
    assertTrue(out.get(3).get("error").textValue().startsWith("line 4: "), out.get(3).toString());
    assertEquals(Map.of("eos_token", "<R>", "bos_token", "<L>"), pre.specialTokens());
  }
}

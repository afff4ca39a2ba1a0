package dev.rmr1.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.tokenizers.PretrainedTokenizer;
import dev.rmr1.tokenizers.Utf8;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./rmr1 tokenize --tokenizer PATH [--chat]}: JSON lines in, one JSON line out per input line.
 * Input bytes that are not UTF-8 are replaced by U+FFFD the way Python's errors="replace" does.
 */
@Command(
    name = "tokenize", header = "Tokenize JSON lines with a Hugging Face tokenizer (and chat template).",
    mixinStandardHelpOptions = true,
    description = {
      "Tokenizes JSON lines from standard input with a Hugging Face tokenizer, one JSON line out per line in.",
      "  {\"text\": \"...\"}  ->  {\"ids\": [...]}   (no special tokens added)",
      "  --chat: {\"messages\": [...], \"add_generation_prompt\": true|false, \"tools\": [...]?, other template variables?}",
      "          ->  {\"text\": \"<rendered chat template>\", \"ids\": [...]}",
      "A line that cannot be processed gives {\"error\": \"line N: ...\"}; the other lines go on. Blank lines are skipped."
    })
public final class TokenizeCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(names = "--tokenizer", required = true, paramLabel = "PATH", description = "A directory with tokenizer.json (and tokenizer_config.json), or a tokenizer.json file.")
  Path tokenizerPath;

  @Option(names = "--chat", description = "Render chat messages with the tokenizer's chat template, then tokenize the result.")
  boolean chat;

  @Override
  public Integer call() throws IOException {
    PretrainedTokenizer tok;
    try {
      tok = PretrainedTokenizer.load(tokenizerPath);
    } catch (RuntimeException e) { // unreadable or malformed files: the message names the file and place
      spec.commandLine().getErr().println("tokenize: " + e.getMessage());
      return 2;
    }
    if (chat && tok.chatTemplate().isEmpty()) {
      spec.commandLine().getErr().println("tokenize: " + tokenizerPath + " has no chat template (tokenizer_config.json chat_template)");
      return 2;
    }
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
    InputStream in = new BufferedInputStream(System.in, 1 << 16);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int lineNumber = 0;
    boolean more = true;
    while (more) {
      line.reset();
      int b;
      while ((b = in.read()) != -1 && b != '\n') line.write(b);
      more = b != -1;
      if (!more && line.size() == 0) break;
      lineNumber++;
      byte[] bytes = line.toByteArray();
      String text = Utf8.decodeLossy(bytes, bytes.length);
      if (text.isBlank()) continue;
      out.println(process(tok, text, lineNumber));
      out.flush();
    }
    out.flush();
    return 0;
  }

  private String process(PretrainedTokenizer tok, String line, int lineNumber) {
    try {
      JsonNode in = JSON.readTree(line);
      if (in == null || !in.isObject()) throw new IllegalArgumentException("expected a JSON object");
      ObjectNode out = JSON.createObjectNode();
      if (!chat) {
        JsonNode text = in.get("text");
        if (text == null || !text.isTextual()) throw new IllegalArgumentException("expected a string field \"text\"");
        ids(out, tok.tokenizer().encode(text.textValue(), false));
        return JSON.writeValueAsString(out);
      }
      JsonNode messages = in.get("messages");
      if (messages == null || !messages.isArray()) throw new IllegalArgumentException("expected an array field \"messages\"");
      JsonNode gen = in.get("add_generation_prompt");
      if (gen != null && !gen.isBoolean()) throw new IllegalArgumentException("\"add_generation_prompt\" must be true or false");
      JsonNode tools = in.get("tools");
      Map<String, Object> extra = new LinkedHashMap<>();
      in.properties().forEach(e -> {
        if (!List.of("messages", "add_generation_prompt", "tools").contains(e.getKey())) extra.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
      });
      String rendered = tok.applyChatTemplate(JSON.convertValue(messages, List.class),
          tools == null || tools.isNull() ? null : JSON.convertValue(tools, List.class), gen != null && gen.booleanValue(), extra);
      out.put("text", rendered);
      ids(out, tok.tokenizer().encode(rendered, false));
      return JSON.writeValueAsString(out);
    } catch (JsonProcessingException e) {
      return error(lineNumber, "malformed JSON: " + e.getOriginalMessage());
    } catch (RuntimeException e) {
      return error(lineNumber, e.getMessage());
    }
  }

  private static void ids(ObjectNode out, int[] ids) {
    var a = out.putArray("ids");
    for (int id : ids) a.add(id);
  }

  private static String error(int lineNumber, String message) {
    try {
      return JSON.writeValueAsString(Map.of("error", "line " + lineNumber + ": " + message));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

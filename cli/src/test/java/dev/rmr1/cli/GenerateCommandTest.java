package dev.rmr1.cli;

import static dev.rmr1.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code ./rmr1 generate} and {@code ./rmr1 bench decode} through {@link Main#commandLine()} on
 * tiny-qwen2-a (a transformers Qwen2ForCausalLM with its reference greedy continuation).
 */
class GenerateCommandTest {
  static Path tiny() {
    try {
      return Path.of(GenerateCommandTest.class.getResource("tiny-qwen2-a").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static long[][] reference() {
    try (SafeTensorsFile f = SafeTensors.open(tiny().resolve("reference_logits.safetensors"))) {
      return new long[][] {f.tensor("input_ids_2").toLongArray(), f.tensor("greedy_12").toLongArray()};
    }
  }

  static String csv(long[] ids) {
    return Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(","));
  }

  static int[] ids(String jsonLine) throws Exception {
    JsonNode n = new ObjectMapper().readTree(jsonLine);
    int[] r = new int[n.get("ids").size()];
    for (int i = 0; i < r.length; i++) r[i] = n.get("ids").get(i).asInt();
    assertTrue(n.get("text").isTextual());
    return r;
  }

  @Test
  void greedyJsonMatchesTransformers() throws Exception {
    long[][] ref = reference();
    CliRun r = run("generate", "--model", tiny().toString(), "--prompt-ids", csv(ref[0]), "--max-new-tokens", "12", "--temperature", "0", "--json",
        "--threads", "1");
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(1, lines.length, r.out());
    assertArrayEquals(Arrays.stream(ref[1]).mapToInt(Math::toIntExact).toArray(), ids(lines[0]));
  }

  @Test
  void samplingIsSeededAndStreamingPrintsTheIds() throws Exception {
    long[][] ref = reference();
    String[] base = {"generate", "--model", tiny().toString(), "--prompt-ids", csv(ref[0]), "--max-new-tokens", "8", "--temperature", "1.0",
        "--top-p", "0.95"};
    String a = run(concat(base, "--seed", "1", "--json")).out(), b = run(concat(base, "--seed", "1", "--json")).out();
    String c = run(concat(base, "--seed", "2", "--json")).out();
    assertEquals(a, b);
    assertNotEquals(a, c);
    CliRun streamed = run(concat(base, "--seed", "1"));
    assertEquals(0, streamed.exit(), streamed.err());
    int[] expected = ids(a.strip());
    assertEquals(Arrays.stream(expected).mapToObj(Integer::toString).collect(Collectors.joining(" ")), streamed.out().strip());
  }

  static String[] concat(String[] a, String... b) {
    String[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void badInputGivesClearErrors() {
    CliRun text = run("generate", "--model", tiny().toString(), "--prompt", "hello");
    assertEquals(2, text.exit());
    assertTrue(text.err().contains("--prompt-ids"), text.err());
    CliRun both = run("generate", "--model", tiny().toString(), "--prompt", "x", "--prompt-ids", "1");
    assertEquals(2, both.exit());
    CliRun word = run("generate", "--model", tiny().toString(), "--prompt-ids", "1,x");
    assertEquals(2, word.exit());
    assertTrue(word.err().contains("'x' is not a token id"), word.err());
    assertEquals(0, run("generate", "--model", tiny().toString(), "--prompt-ids", "1, 2 ,3", "--max-new-tokens", "2", "--json").exit());
    CliRun outside = run("generate", "--model", tiny().toString(), "--prompt-ids", "1,999");
    assertEquals(1, outside.exit());
    assertTrue(outside.err().contains("999"), outside.err());
    int[] longPrompt = new int[300];
    CliRun tooLong = run("generate", "--model", tiny().toString(), "--prompt-ids",
        Arrays.stream(longPrompt).mapToObj(Integer::toString).collect(Collectors.joining(",")));
    assertEquals(1, tooLong.exit());
    assertTrue(tooLong.err().contains("max_position_embeddings"), tooLong.err());
    CliRun missing = run("generate", "--model", tiny().resolve("nope").toString(), "--prompt-ids", "1");
    assertEquals(1, missing.exit());
    assertTrue(missing.err().contains("does not exist"), missing.err());
  }

  @Test
  void benchDecodeJson() throws Exception {
    CliRun r = run("bench", "decode", "--model", tiny().toString(), "--prompt-tokens", "6", "--new-tokens", "4", "--batch", "3", "--warmup", "0",
        "--repeats", "1", "--threads", "1", "--profile", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode n = new ObjectMapper().readTree(r.out().strip());
    assertTrue(n.get("prefill_tokens_per_s").asDouble() > 0);
    assertTrue(n.get("decode_tokens_per_s").asDouble() > 0);
    assertEquals(3, n.get("batch").asInt());
    assertEquals(1, n.get("threads").asInt());
    assertTrue(n.get("profiled_step_ms").asDouble() > 0);
    assertTrue(n.get("kernel_calls_per_step").get("matmul").asDouble() > 0, n.toString());
    assertTrue(n.get("top_sites").size() > 0);
    assertEquals("greedy", n.get("sampling").asText());
  }

  @Test
  void benchDecodeSampled() throws Exception {
    CliRun r = run("bench", "decode", "--model", tiny().toString(), "--prompt-tokens", "6", "--new-tokens", "4", "--batch", "2", "--warmup", "0",
        "--repeats", "1", "--temperature", "0.6", "--top-p", "0.95", "--json");
    assertEquals(0, r.exit(), r.err());
    JsonNode n = new ObjectMapper().readTree(r.out().strip());
    assertEquals("temperature 0.6, top-p 0.95", n.get("sampling").asText());
    assertTrue(n.get("decode_tokens_per_s").asDouble() > 0);
    CliRun bad = run("bench", "decode", "--model", tiny().toString(), "--top-p", "1.5");
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("top-p must be in (0, 1]"), bad.err());
  }
}

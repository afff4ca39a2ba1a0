package dev.rmr1.cli;

import static dev.rmr1.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./rmr1 sft} and {@code ./rmr1 grpo} through {@link Main#commandLine()}: help, configuration errors, and short
 * runs on tiny-qwen2-a with a 320-id byte-level BPE tokenizer (ChatML template) trained for it.
 */
class TrainingCommandsTest {
  static Path resource(String name) throws Exception {
    return Path.of(TrainingCommandsTest.class.getResource(name).toURI());
  }

  /** tiny-qwen2-a plus its tokenizer, as a model directory. */
  static Path model(Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("model"));
    for (String f : List.of("config.json", "generation_config.json", "model.safetensors")) Files.copy(resource("tiny-qwen2-a").resolve(f), dir.resolve(f));
    for (String f : List.of("tokenizer.json", "tokenizer_config.json")) Files.copy(resource("tiny-chat-tokenizer").resolve(f), dir.resolve(f));
    return dir;
  }

  static String messages(int i) {
    return "[{\"role\": \"system\", \"content\": \"Please act as an impartial judge.\"}, {\"role\": \"user\", \"content\": \"Chatbot A said " + i
        + ". Chatbot B said " + (i + 1) + ".\"}]";
  }

  @Test
  void helpListsEveryConfigurationKeyWithItsFlags() {
    for (String cmd : List.of("sft", "grpo")) {
      CliRun r = run(cmd, "--help");
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("--lora-r") && r.out().contains("optim.lr") && r.out().contains("--config"), r.out());
    }
    assertTrue(run("grpo", "--help").out().contains("--kl-beta"));
  }

  @Test
  void configurationErrorsExitWithCode2(@TempDir Path tmp) {
    CliRun r = run("sft", "--lr", "fast", "--out", tmp.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("lr"), r.err());
    CliRun unknown = run("grpo", "--klbeta", "0.1");
    assertEquals(2, unknown.exit());
    assertTrue(unknown.err().contains("kl-beta"), "suggests the flag: " + unknown.err());
  }

  @Test
  void sftThenGrpoOnATinyModel(@TempDir Path tmp) throws Exception {
    Path model = model(tmp);
    StringBuilder sft = new StringBuilder(), rlvr = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      String w = i % 2 == 0 ? "A" : "B";
      sft.append("{\"context_messages\": ").append(messages(i)).append(", \"winner\": \"Chatbot ").append(w).append(" is better. <answer>[[")
          .append(w).append("]]</answer>\"}\n");
      rlvr.append("{\"context_messages\": ").append(messages(i)).append(", \"winner\": \"model_").append(w.toLowerCase()).append("\"}\n");
    }
    Files.writeString(tmp.resolve("sft.jsonl"), sft);
    Files.writeString(tmp.resolve("rlvr.jsonl"), rlvr);
    Files.writeString(tmp.resolve("sft.yaml"), "sft: {global_batch: 2, max_len: 128}\noptim: {lr: 1.0e-3}\nrun: {progress: off}\n");

    CliRun s = run("sft", "--config", tmp.resolve("sft.yaml").toString(), "--model", model.toString(), "--data", tmp.resolve("sft.jsonl").toString(),
        "--out", tmp.resolve("sft").toString(), "--lora", "--lora-r", "4");
    assertEquals(0, s.exit(), s.err());
    assertTrue(Files.exists(tmp.resolve("sft/final-model/model.safetensors")));
    assertTrue(Files.exists(tmp.resolve("sft/final-adapter/adapter_config.json")));
    assertEquals(2, Files.readAllLines(tmp.resolve("sft/metrics.jsonl")).size());

    CliRun g = run("grpo", "--model", tmp.resolve("sft/final-model").toString(), "--data", tmp.resolve("rlvr.jsonl").toString(), "--out",
        tmp.resolve("grpo").toString(), "--prompts-per-step", "2", "--group-size", "2", "--mini-batches", "2", "--max-new-tokens", "4",
        "--lora", "--lora-r", "2", "--progress", "off");
    assertEquals(0, g.exit(), g.err());
    List<String> metrics = Files.readAllLines(tmp.resolve("grpo/metrics.jsonl"));
    assertEquals(2, metrics.size());
    assertTrue(metrics.get(0).contains("\"reward/mean\"") && metrics.get(0).contains("\"actor/kl_loss\""), metrics.get(0));
    assertTrue(Files.exists(tmp.resolve("grpo/final-adapter/adapter_model.safetensors")));
  }
}

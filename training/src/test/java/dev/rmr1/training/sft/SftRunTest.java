package dev.rmr1.training.sft;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.models.CausalLM;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import dev.rmr1.training.TinyModelDir;
import dev.rmr1.training.config.SftConfig;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.SftRecord;
import dev.rmr1.training.data.TrainingDatasets;
import dev.rmr1.training.metrics.MetricsLogger;
import dev.rmr1.training.metrics.MetricsRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftRunTest {
  static Path data(Path dir, int n) {
    List<SftRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String winner = i % 2 == 0 ? "A" : "B";
      records.add(new SftRecord(List.of(ChatMessage.system("Please act as an impartial judge."), ChatMessage.user("Chatbot A said " + i
          + ". Chatbot B said " + (i * 7 % 10) + ".")), "Chatbot " + winner + " is better. <answer>[[" + winner + "]]</answer>"));
    }
    Path file = dir.resolve("sft.jsonl");
    TrainingDatasets.writeSftJsonl(file, records);
    return file;
  }

  static List<String> args(Path model, Path data, Path out, String... more) {
    List<String> a = new ArrayList<>(List.of("--model", model.toString(), "--data", data.toString(), "--out", out.toString(), "--global-batch",
        "4", "--micro-batch", "1", "--max-len", "96", "--lr", "1e-3", "--progress", "off", "--save-every", "1", "--keep-last", "2"));
    a.addAll(List.of(more));
    return a;
  }

  static SftRun.Result run(List<String> args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      return SftRun.run(SftConfig.fromArgs(args.toArray(String[]::new)), ps);
    }
  }

  @Test
  void loraRunWritesLogsPlotsSamplesCheckpointsAndExports(@TempDir Path tmp) throws Exception {
    Path model = TinyModelDir.create(tmp);
    Path out = tmp.resolve("run");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    SftRun.Result r;
    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      r = SftRun.run(SftConfig.fromArgs(args(model, data(tmp, 6), out, "--lora", "--lora-r", "4", "--sample-every", "2", "--num-samples", "2",
          "--plot-every", "0").toArray(String[]::new)), ps);
    }
    String console = buf.toString(StandardCharsets.UTF_8);
    assertTrue(console.contains("sft configuration") && console.contains("| lora.r"), console);
    assertTrue(console.contains("LoRA (a deviation"), console);
    assertEquals(2, r.steps(), "ceil(6 / 4) steps");
    List<MetricsRecord> metrics = MetricsLogger.read(out.resolve("metrics.jsonl"));
    assertEquals(List.of(1, 2), metrics.stream().map(MetricsRecord::step).toList());
    for (String k : List.of("train/loss", "lr", "grad_norm", "train/loss_tokens", "perf/tokens_per_s")) assertTrue(metrics.get(0).values().containsKey(k), k);
    assertEquals(2, Files.readAllLines(out.resolve("samples.jsonl")).size(), "two samples at step 2");
    assertTrue(Files.exists(out.resolve("plots").resolve("loss.png")));
    assertTrue(Files.exists(out.resolve("config.yaml")));
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(List.of("checkpoint-1", "checkpoint-2"), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("checkpoint-")).sorted().toList());
    }
    assertTrue(Files.exists(r.adapter().resolve("adapter_config.json")));
    try (CausalLM merged = CausalLM.load(r.model())) {
      assertEquals(320, merged.config().vocabSize());
    }
    assertTrue(Files.exists(r.model().resolve("tokenizer.json")), "the tokenizer is copied into the exported model");
  }

  /**
   * A run SIGKILLed in the middle of a step resumes from its last checkpoint and ends with exactly the weights and
   * metrics of a run that was never interrupted.
   */
  @Test
  void killedMidStepResumesWithNothingLost(@TempDir Path tmp) throws Exception {
    Path model = TinyModelDir.create(tmp);
    Path data = data(tmp, 16);
    List<String> common = List.of("--epochs", "1", "--no-gradient-checkpointing");
    Path killed = tmp.resolve("killed");
    List<String> childArgs = args(model, data, killed, common.toArray(String[]::new));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules",
        "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), SftRunMain.class.getName()));
    cmd.addAll(childArgs);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Files.isDirectory(killed.resolve("checkpoint-2"))) {
        assertTrue(p.isAlive(), () -> "child ended early: " + childLog(tmp));
        assertTrue(System.nanoTime() < deadline, () -> "child made no progress: " + childLog(tmp));
        Thread.sleep(20);
      }
      Thread.sleep(new java.util.Random().nextInt(300)); // somewhere inside step 3 (4 micro-batches) or its save
      assertTrue(p.isAlive(), "the child must still be running when it is killed");
      p.destroyForcibly();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    } finally {
      p.destroyForcibly();
    }
    SftRun.Result resumed = run(childArgs);
    SftRun.Result straight = run(args(model, data, tmp.resolve("straight"), common.toArray(String[]::new)));
    assertEquals(4, resumed.steps());
    assertSameTensors(straight.model().resolve("model.safetensors"), resumed.model().resolve("model.safetensors"));
    List<MetricsRecord> a = MetricsLogger.read(straight.out().resolve("metrics.jsonl"));
    List<MetricsRecord> b = MetricsLogger.read(resumed.out().resolve("metrics.jsonl"));
    assertEquals(a.stream().map(MetricsRecord::step).toList(), b.stream().map(MetricsRecord::step).toList());
    for (int i = 0; i < a.size(); i++)
      for (String k : List.of("train/loss", "lr", "grad_norm")) assertEquals(a.get(i).get(k), b.get(i).get(k), k + " at step " + a.get(i).step());
  }

  static void assertSameTensors(Path expected, Path actual) {
    try (TensorScope scope = TensorScope.open(); SafeTensorsFile e = SafeTensors.open(expected); SafeTensorsFile a = SafeTensors.open(actual)) {
      assertEquals(e.names(), a.names());
      for (String n : e.names()) assertArrayEquals(e.tensor(n).toFloatArray(), a.tensor(n).toFloatArray(), n);
    }
  }

  static String childLog(Path tmp) {
    try {
      return Files.readString(tmp.resolve("child.log"));
    } catch (java.io.IOException e) {
      return "(no log: " + e + ")";
    }
  }
}

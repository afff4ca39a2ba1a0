package dev.rmr1.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import dev.rmr1.training.config.ConfigMismatchPolicy;
import dev.rmr1.training.config.EffectiveConfig;
import dev.rmr1.training.config.SftConfig;
import dev.rmr1.training.metrics.MetricsRecord;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointManagerTest {
  @TempDir Path out;
  private final List<String> warnings = new ArrayList<>();
  private TensorScope scope;

  @BeforeEach
  void openScope() {
    scope = TensorScope.open();
  }

  @AfterEach
  void closeScope() {
    scope.close();
  }

  private CheckpointManager manager(int keepLast) {
    return new CheckpointManager(out, keepLast, warnings::add);
  }

  /** Tensor groups whose values depend on {@code step}. */
  private static Map<String, Map<String, Tensor>> groups(int step) {
    Rng r = new Rng(step);
    Map<String, Tensor> model = new LinkedHashMap<>();
    model.put("layers.0.w", Tensor.normal(Device.CPU, DType.F32, r, 0, 1, 3, 5));
    model.put("layers.0.b", Tensor.normal(Device.CPU, DType.BF16, r, 0, 1, 5));
    model.put("step", Tensor.ofLongs(new long[] {step}, 1));
    Map<String, Tensor> optim = new LinkedHashMap<>();
    try (Tensor big = Tensor.normal(Device.CPU, DType.F32, r, 0, 1, 4, 6)) {
      optim.put("exp_avg.layers.0.w", big.transpose(0, 1).contiguous().narrow(0, 1, 3)); // a view of a view, saved densely
    }
    return Map.of("model", model, "optimizer", optim);
  }

  private static TrainerState state(int step) {
    Rng r = new Rng(99);
    r.nextGaussian(); // leaves a spare: the snapshot must carry it
    MetricsRecord m = new MetricsRecord(step, 1.7e9, Map.of("train/loss", Double.NaN, "lr", 5e-6));
    return TrainerState.of(step, 1, 17, step).withRng("data", r.snapshot()).withRng("dropout", new long[] {Long.MIN_VALUE, -1, 0})
        .withExtra("sampler", "length_bucketed").withMetricsTail(List.of(m))
        .withConfig(SftConfig.fromArgs("--model", "m", "--data", "d"));
  }

  private static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (String k : expected.keySet()) {
      Tensor e = expected.get(k), a = actual.get(k);
      assertEquals(e.dtype(), a.dtype(), k);
      assertArrayEquals(e.shape(), a.shape(), k);
      assertArrayEquals(e.toDoubleArray(), a.toDoubleArray(), k);
    }
  }

  private List<String> entries() throws IOException {
    try (Stream<Path> s = Files.list(out)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void saveThenLatestRestoresEverything() throws IOException {
    CheckpointManager cm = manager(2);
    Path dir = cm.save(5, groups(5), state(5));
    assertEquals(out.resolve("checkpoint-5"), dir);
    assertEquals(List.of("checkpoint-5", "latest"), entries());
    assertEquals("checkpoint-5\n", Files.readString(out.resolve("latest")));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(Set.of("model.safetensors", "optimizer.safetensors", "trainer_state.json"),
          Set.copyOf(s.map(p -> p.getFileName().toString()).toList()));
    }
    LoadedCheckpoint c = cm.latest().orElseThrow();
    assertEquals(5, c.step());
    assertEquals(state(5), c.state());
    long[] spare = c.state().rng("data");
    Rng a = new Rng(0);
    a.restore(spare);
    Rng b = new Rng(99);
    b.nextGaussian();
    assertEquals(b.nextGaussian(), a.nextGaussian(), "the Gaussian spare survives");
    assertEquals(Set.of("model", "optimizer"), c.groups());
    Map<String, Map<String, Tensor>> g = groups(5);
    assertSameTensors(g.get("model"), c.read("model"));
    assertSameTensors(g.get("optimizer"), c.read("optimizer"));
    try (SafeTensorsFile f = c.open("model")) {
      assertEquals(List.of("layers.0.b", "layers.0.w", "step"), f.names());
    }
    assertThrows(IllegalArgumentException.class, () -> c.read("nope"));
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void keepsTheLastNAndDeletesOlderOnlyAfterTheNewIsComplete() throws IOException {
    CheckpointManager cm = manager(2);
    for (int s = 10; s <= 50; s += 10) cm.save(s, groups(s), state(s));
    assertEquals(List.of("checkpoint-40", "checkpoint-50", "latest"), entries());
    assertEquals(List.of(40, 50), cm.steps());
    assertEquals(50, cm.latest().orElseThrow().step());
    assertEquals(40, cm.load(40).orElseThrow().step());
    assertEquals(Optional.empty(), cm.load(30));
  }

  @Test
  void aSaveThatFailsHalfWayLeavesThePreviousCheckpointIntact() throws IOException {
    CheckpointManager cm = manager(1);
    cm.save(10, groups(10), state(10));
    IOException boom = new IOException("disk full");
    var e = assertThrows(java.io.UncheckedIOException.class, () -> cm.save(20, groups(20), state(20), dir -> {
      Files.writeString(dir.resolve("adapter_config.json"), "{\"r\":"); // half written
      throw boom;
    }));
    assertEquals(boom, e.getCause());
    assertEquals(List.of("checkpoint-10", "latest"), entries(), "no checkpoint-20, no .tmp left, checkpoint-10 not pruned");
    assertEquals("checkpoint-10\n", Files.readString(out.resolve("latest")));
    LoadedCheckpoint c = cm.latest().orElseThrow();
    assertEquals(state(10), c.state());
    assertSameTensors(groups(10).get("model"), c.read("model"));
    // A runtime failure inside a tensor group (a closed tensor) is cleaned up the same way.
    Map<String, Map<String, Tensor>> bad = groups(20);
    bad.get("optimizer").values().forEach(Tensor::close);
    assertThrows(RuntimeException.class, () -> cm.save(20, bad, state(20)));
    assertEquals(List.of("checkpoint-10", "latest"), entries());
  }

  @Test
  void aKillMidSaveLeavesATmpDirectoryThatIsIgnoredAndCleanedUp() throws IOException {
    CheckpointManager cm = manager(1);
    cm.save(10, groups(10), state(10));
    // What a kill during the save of step 20 leaves: a .tmp directory with some of the files.
    Path tmp = Files.createDirectory(out.resolve("checkpoint-20.tmp"));
    Files.copy(out.resolve("checkpoint-10/model.safetensors"), tmp.resolve("model.safetensors"));
    Files.write(tmp.resolve("optimizer.safetensors"), new byte[] {1, 2, 3});
    CheckpointManager resumed = manager(1); // a new process
    LoadedCheckpoint c = resumed.latest().orElseThrow();
    assertEquals(10, c.step());
    assertEquals(state(10), c.state());
    assertSameTensors(groups(10).get("optimizer"), c.read("optimizer"));
    assertTrue(warnings.isEmpty(), "a .tmp directory is not even a candidate: " + warnings);
    resumed.save(20, groups(20), state(20));
    assertEquals(List.of("checkpoint-20", "latest"), entries());
    assertTrue(warnings.stream().anyMatch(w -> w.contains("checkpoint-20.tmp left by an interrupted save")), warnings.toString());
    assertSameTensors(groups(20).get("optimizer"), resumed.latest().orElseThrow().read("optimizer"));
  }

  @Test
  void damagedCheckpointsAreSkippedWithAWarning() throws IOException {
    CheckpointManager cm = manager(3);
    cm.save(10, groups(10), state(10));
    cm.save(20, groups(20), state(20));
    cm.save(30, groups(30), state(30));
    try (FileChannel ch = FileChannel.open(out.resolve("checkpoint-30/optimizer.safetensors"), StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 4);
    }
    Files.delete(out.resolve("checkpoint-20/trainer_state.json"));
    assertEquals(10, cm.latest().orElseThrow().step());
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).matches(".*checkpoint-30: optimizer.safetensors has \\d+ bytes, \\d+ were written"), warnings.get(0));
    assertTrue(warnings.get(1).endsWith("checkpoint-20: trainer_state.json is missing"), warnings.get(1));
    assertEquals(List.of(10), cm.steps());
    Files.writeString(out.resolve("checkpoint-10/trainer_state.json"), "{\"format\": \"rmr1-trainer-state\", \"version\": 1");
    assertEquals(Optional.empty(), cm.latest());
    assertTrue(warnings.getLast().contains("not valid JSON"), warnings.getLast());
  }

  @Test
  void resumingFromAnEarlierStepDiscardsTheAbandonedLaterCheckpoints() throws IOException {
    CheckpointManager cm = manager(2);
    cm.save(10, groups(10), state(10));
    cm.save(20, groups(20), state(20));
    cm.save(30, groups(30), state(30));
    Files.delete(out.resolve("checkpoint-30/model.safetensors")); // damaged: the run resumes from 20
    assertEquals(20, cm.latest().orElseThrow().step());
    cm.save(25, groups(25), state(25));
    assertEquals(List.of("checkpoint-20", "checkpoint-25", "latest"), entries());
    assertEquals(25, cm.latest().orElseThrow().step());
  }

  @Test
  void savingTheSameStepAgainReplacesIt() throws IOException {
    CheckpointManager cm = manager(2);
    cm.save(10, groups(10), state(10));
    TrainerState changed = state(10).withExtra("note", "second");
    cm.save(10, groups(11), changed);
    assertEquals(List.of("checkpoint-10", "latest"), entries());
    LoadedCheckpoint c = cm.latest().orElseThrow();
    assertEquals(changed, c.state());
    assertSameTensors(groups(11).get("model"), c.read("model"));
  }

  @Test
  void extraFilesAreInventoriedAndChecked() throws IOException {
    CheckpointManager cm = manager(1);
    cm.save(3, Map.of("adapter_model", groups(3).get("model")), TrainerState.of(3, 0, 3, 3), dir -> {
      Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\"}");
      Files.createDirectories(dir.resolve("tokenizer"));
      Files.writeString(dir.resolve("tokenizer/tokenizer.json"), "{}");
    });
    LoadedCheckpoint c = cm.latest().orElseThrow();
    assertEquals(Set.of("adapter_model"), c.groups());
    assertEquals("{\"peft_type\": \"LORA\"}", Files.readString(c.dir().resolve("adapter_config.json")));
    Files.writeString(c.dir().resolve("tokenizer/tokenizer.json"), "{\"x\": 1}");
    assertEquals(Optional.empty(), cm.latest(), "a changed extra file makes the checkpoint incomplete");
  }

  @Test
  void configMismatchWarnsOrFailsByPolicy() {
    CheckpointManager cm = manager(1);
    cm.save(7, groups(7), state(7));
    LoadedCheckpoint c = cm.latest().orElseThrow();
    EffectiveConfig<SftConfig> same = SftConfig.fromArgs("--model", "m", "--data", "d", "--save-every", "3");
    assertTrue(c.verifyConfig(same, ConfigMismatchPolicy.ERROR, warnings::add), "run.* keys are not hashed");
    EffectiveConfig<SftConfig> other = SftConfig.fromArgs("--model", "m", "--data", "d", "--lr", "1e-5");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.verifyConfig(other, ConfigMismatchPolicy.ERROR, warnings::add));
    assertTrue(e.getMessage().contains("was written under another configuration"), e.getMessage());
    assertTrue(e.getMessage().contains("\n  optim.lr: 5e-6 -> 1e-5\n"), e.getMessage());
    assertTrue(warnings.isEmpty());
    assertFalse(c.verifyConfig(other, ConfigMismatchPolicy.WARN, warnings::add));
    assertEquals(1, warnings.size());
    assertTrue(warnings.getFirst().contains("optim.lr: 5e-6 -> 1e-5"), warnings.getFirst());
    cm.save(8, groups(8), TrainerState.of(8, 0, 0, 8));
    assertFalse(cm.latest().orElseThrow().verifyConfig(same, ConfigMismatchPolicy.ERROR, warnings::add));
    assertTrue(warnings.getLast().contains("records no configuration hash"), warnings.getLast());
  }

  @Test
  void badArgumentsAreRejected() {
    CheckpointManager cm = manager(1);
    assertThrows(IllegalArgumentException.class, () -> new CheckpointManager(out, 0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cm.save(3, Map.of(), TrainerState.of(4, 0, 0, 4)));
    assertEquals("checkpoint step 3 but the trainer state says step 4", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> cm.save(3, Map.of("../x", Map.of()), TrainerState.of(3, 0, 0, 3)));
    assertThrows(IllegalArgumentException.class, () -> cm.save(3, Map.of("trainer_state", Map.of()), TrainerState.of(3, 0, 0, 3)));
    assertThrows(IllegalArgumentException.class, () -> TrainerState.of(-1, 0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> state(1).rng("missing"));
    assertEquals(Optional.empty(), new CheckpointManager(out.resolve("never-created"), 1).latest());
  }
}

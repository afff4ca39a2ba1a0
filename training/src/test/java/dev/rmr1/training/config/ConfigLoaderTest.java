package dev.rmr1.training.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path file(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private static String origin(EffectiveConfig<?> c, String key) {
    return c.entries().stream().filter(e -> e.key().equals(key)).findFirst().orElseThrow().origin();
  }

  @Test
  void sftDefaultsAreRmR1s() {
    SftConfig c = SftConfig.fromArgs("--model", "m", "--data", "d").value();
    assertEquals(5e-6, c.optim().lr());
    assertEquals(0.9, c.optim().beta1());
    assertEquals(0.95, c.optim().beta2());
    assertEquals(1e-8, c.optim().eps());
    assertEquals(0.0, c.optim().weightDecay());
    assertEquals(1.0, c.optim().gradClip());
    assertEquals(LrScheduleKind.COSINE, c.optim().schedule());
    assertEquals(0.03, c.optim().warmupRatio());
    assertEquals(0.1, c.optim().minLrRatio());
    assertEquals(128, c.sft().globalBatch());
    assertEquals(1, c.sft().microBatch());
    assertEquals(128, c.sft().accumulation());
    assertEquals(1, c.sft().epochs());
    assertEquals(12288, c.sft().maxLen());
    assertFalse(c.sft().maskAssistantHeader());
    assertEquals(42, c.seed());
    assertNull(c.lora(), "full fine-tuning by default");
    assertEquals(BadRecordPolicy.FAIL, c.badRecords());
  }

  @Test
  void grpoDefaultsAreRmR1s() {
    GrpoConfig c = GrpoConfig.fromArgs("--model", "m", "--data", "d").value();
    assertEquals(7, c.rollout().groupSize());
    assertEquals(1.0, c.rollout().temperature());
    assertEquals(1.0, c.rollout().topP());
    assertEquals(0, c.rollout().topK());
    assertEquals(4096, c.rollout().maxPromptLen());
    assertEquals(8192, c.rollout().maxNewTokens());
    assertEquals(1024, c.grpo().promptsPerStep());
    assertEquals(8, c.grpo().miniBatches());
    assertEquals(896, c.responsesPerMiniBatch());
    assertEquals(0.2, c.grpo().clipEps());
    assertEquals(1e-3, c.grpo().klBeta());
    assertEquals(10.0, c.grpo().klClamp());
    assertEquals(0.0, c.grpo().entropyCoeff());
    assertEquals(LossAggregation.TOKEN_MEAN, c.grpo().lossAggregation());
    assertTrue(c.grpo().normAdvByStd());
    assertEquals(1e-6, c.optim().lr());
    assertEquals(0.999, c.optim().beta2());
    assertEquals(0.01, c.optim().weightDecay());
    assertEquals(LrScheduleKind.CONSTANT, c.optim().schedule());
    assertEquals(0.0, c.optim().warmupRatio());
    assertEquals(1.0, c.rollout().samplingParams().temperature());
  }

  @Test
  void fileThenFlagsInOrderWithOrigins() throws IOException {
    Path f = file("run.yaml", """
        model: /models/qwen
        data: train.jsonl
        optim:
          lr: 1e-5          # YAML 1.1 reads this as a string; the key's type makes it a number
          weight_decay: 0.1
        sft:
          max_len: 4096
        """);
    EffectiveConfig<SftConfig> e = SftConfig.fromArgs("--config", f.toString(), "--lr", "2e-5", "--set", "sft.max_len=1024", "--max-len=2048");
    SftConfig c = e.value();
    assertEquals("/models/qwen", c.model());
    assertEquals(2e-5, c.optim().lr());
    assertEquals(0.1, c.optim().weightDecay());
    assertEquals(2048, c.sft().maxLen(), "the last setting wins");
    assertEquals("--lr", origin(e, "optim.lr"));
    assertEquals(f + ":5", origin(e, "optim.weight_decay"));
    assertEquals("--max-len", origin(e, "sft.max_len"));
    assertEquals("default", origin(e, "optim.beta1"));
  }

  @Test
  void jsonAndYamlGiveTheSameConfiguration() throws IOException {
    Path y = file("a.yaml", """
        model: m
        data: d
        rollout: {group_size: 4, top_k: 50}
        grpo:
          loss_aggregation: seq-mean-token-mean
          kl_beta: 0.0
        lora:
          r: 16
          targets: [q_proj, v_proj]
        """);
    Path j = file("a.json", """
        {"model": "m", "data": "d",
         "rollout": {"group_size": 4, "top_k": 50},
         "grpo": {"loss_aggregation": "SEQ_MEAN_TOKEN_MEAN", "kl_beta": 0},
         "lora": {"r": 16, "targets": ["q_proj", "v_proj"]}}
        """);
    GrpoConfig a = GrpoConfig.loader().load(y, List.of()).value();
    GrpoConfig b = GrpoConfig.loader().load(j, List.of()).value();
    assertEquals(a, b);
    // YAML's flow style, and JSON text in a file not named .json, read as YAML.
    Path flow = file("flow.yml", Files.readString(j).replace("\"", ""));
    assertEquals(a, GrpoConfig.loader().load(flow, List.of()).value());
    Path jsonAsYaml = file("j.yml", Files.readString(j));
    assertEquals(a, GrpoConfig.loader().load(jsonAsYaml, List.of()).value());
    assertEquals(LossAggregation.SEQ_MEAN_TOKEN_MEAN, a.grpo().lossAggregation());
    assertEquals(List.of("q_proj", "v_proj"), a.lora().targets());
    assertEquals(8.0, a.lora().alpha(), "unset keys of a switched-on section take the section defaults");
  }

  @Test
  void unknownKeyNamesFileLineAndSuggests() throws IOException {
    Path f = file("bad.yaml", """
        model: m
        data: d
        grpo:
          kl_betta: 0.01
        optim:
          kl_beta: 0.01
        """);
    ConfigException ex = assertThrows(ConfigException.class, () -> GrpoConfig.loader().load(f, List.of()));
    assertEquals(2, ex.problems().size(), ex.getMessage());
    assertTrue(ex.getMessage().contains(f + ":4: grpo.kl_betta: unknown key (did you mean 'grpo.kl_beta'?)"), ex.getMessage());
    assertTrue(ex.getMessage().contains(f + ":6: optim.kl_beta: unknown key (did you mean 'grpo.kl_beta'?)"), ex.getMessage());
  }

  @Test
  void unknownFlagSuggests() {
    ConfigException ex = assertThrows(ConfigException.class, () -> SftConfig.fromArgs("--model", "m", "--data", "d", "--lora-rr", "8"));
    assertEquals("invalid configuration: --lora-rr: unknown flag (did you mean '--lora-r'?)", ex.getMessage());
    ex = assertThrows(ConfigException.class, () -> SftConfig.fromArgs("--model", "m", "--data", "d", "--set", "lora.rank=8"));
    assertTrue(ex.getMessage().contains("--set lora.rank: lora.rank: unknown key"), ex.getMessage());
  }

  @Test
  void badValuesNameKeyOriginAndExpectation() throws IOException {
    Path f = file("t.json", "{\n \"model\": \"m\",\n \"data\": \"d\",\n \"optim\": {\"lr\": \"fast\"},\n \"sft\": {\"epochs\": 1.5}\n}\n");
    ConfigException ex = assertThrows(ConfigException.class,
        () -> SftConfig.fromArgs("-c", f.toString(), "--schedule", "cosinus", "--rslora", "--lora-r", "-2", "--device", "tpu"));
    String m = ex.getMessage();
    assertTrue(m.contains(f + ":4: optim.lr: expected a number, got 'fast'"), m);
    assertTrue(m.contains(f + ":5: sft.epochs: expected an integer (32-bit), got '1.5'"), m);
    assertTrue(m.contains("--schedule: optim.schedule: expected one of constant, linear, cosine, got 'cosinus'"), m);
    // Values that parse are then validated; those problems come in a second round, with the value.
    ConfigException v = assertThrows(ConfigException.class, () -> SftConfig.fromArgs("--model", "m", "--data", "d", "--lora-r", "-2", "--device", "tpu",
        "--global-batch", "10", "--micro-batch", "4", "--float32-matmul-precision", "fast"));
    assertTrue(v.getMessage().contains("--float32-matmul-precision: float32_matmul_precision: must be highest, high or medium (got fast)"), v.getMessage());
    assertTrue(v.getMessage().contains("--lora-r: lora.r: must be >= 1 (got -2)"), v.getMessage());
    assertTrue(v.getMessage().contains("--device: device: must be cpu, cuda or cuda:N (got tpu)"), v.getMessage());
    assertTrue(v.getMessage().contains("--global-batch: sft.global_batch: must be a multiple of sft.micro_batch (4) (got 10)"), v.getMessage());
    assertEquals(4, v.problems().size());
  }

  @Test
  void requiredKeysAreReported() {
    ConfigException ex = assertThrows(ConfigException.class, () -> GrpoConfig.fromArgs("--lr", "1e-6"));
    assertEquals(2, ex.problems().size());
    assertTrue(ex.getMessage().contains("not set: model: is required: set it in the configuration file or with --model"), ex.getMessage());
    assertTrue(ex.getMessage().contains("not set: data: is required"), ex.getMessage());
  }

  @Test
  void switchableSections() throws IOException {
    assertNull(SftConfig.fromArgs("--model", "m", "--data", "d").value().lora());
    LoraConfig on = SftConfig.fromArgs("--model", "m", "--data", "d", "--lora-r", "16", "--rslora").value().lora();
    assertEquals(new LoraConfig(16, 8.0, 0.0, true, LoraConfig.ALL_LINEAR), on);
    assertEquals(8.0 / 4.0, on.scaling());
    assertEquals(LoraConfig.defaults(), SftConfig.fromArgs("--model", "m", "--data", "d", "--lora").value().lora());
    assertNull(SftConfig.fromArgs("--model", "m", "--data", "d", "--lora-r", "4", "--no-lora").value().lora());
    assertNull(SftConfig.fromArgs("--model", "m", "--data", "d", "--lora-r", "4", "--set", "lora=null").value().lora());
    Path f = file("l.yaml", "model: m\ndata: d\nlora: {}\n");
    assertEquals(LoraConfig.defaults(), SftConfig.loader().load(f, List.of()).value().lora());
    Path g = file("n.yaml", "model: m\ndata: d\nlora:\n");
    SftConfig withLora = new SftConfig(null, null, "cpu", "highest", 1, BadRecordPolicy.FAIL, OptimConfig.sftDefaults(), SftOptions.defaults(), LoraConfig.defaults(),
        RunConfig.defaults("x", 1));
    EffectiveConfig<SftConfig> off = ConfigLoader.of(SftConfig.class, withLora).load(g, List.of());
    assertNull(off.value().lora(), "an empty value in the file switches the section off");
    assertEquals(g + ":3", origin(off, "lora"));
    Path h = file("r.yaml", "model: m\ndata: d\nlora: {r: 4}\n");
    assertNull(SftConfig.loader().load(h, List.of(new Setting("lora", null, "code"))).value().lora(), "a later null wins");
    ConfigException ex = assertThrows(ConfigException.class, () -> SftConfig.fromArgs("--model", "m", "--data", "d", "--set", "optim=null"));
    assertTrue(ex.getMessage().contains("optim: is a section and cannot be null"), ex.getMessage());
    ex = assertThrows(ConfigException.class, () -> SftConfig.fromArgs("--model", "m", "--data", "d", "--set", "optim.lr.x=1"));
    assertTrue(ex.getMessage().contains("optim.lr: is a single value, not a section (found 'optim.lr.x')"), ex.getMessage());
  }

  @Test
  void booleanFlags() {
    SftConfig c = SftConfig.fromArgs("--model", "m", "--data", "d", "--mask-assistant-header", "--no-gradient-checkpointing").value();
    assertTrue(c.sft().maskAssistantHeader());
    assertFalse(c.sft().gradientCheckpointing());
    c = SftConfig.fromArgs("--model", "m", "--data", "d", "--mask-assistant-header", "false", "--resume=no").value();
    assertFalse(c.sft().maskAssistantHeader());
    assertFalse(c.run().resume());
  }

  @Test
  void flagShortcutsAndFullNames() {
    GrpoConfig c = GrpoConfig.fromArgs("--model", "m", "--data", "d", "--kl-beta", "0.01", "--grpo-clip-eps", "0.3", "--group-size", "4",
        "--out", "/tmp/x", "--lora-targets", "q_proj,v_proj", "--loss-aggregation", "dr_grpo", "--prompts-per-step", "8", "--mini-batches", "2").value();
    assertEquals(0.01, c.grpo().klBeta());
    assertEquals(0.3, c.grpo().clipEps());
    assertEquals(4, c.rollout().groupSize());
    assertEquals(Path.of("/tmp/x"), c.run().out());
    assertEquals(List.of("q_proj", "v_proj"), c.lora().targets());
    assertEquals(LossAggregation.DR_GRPO, c.grpo().lossAggregation());
  }

  @Test
  void duplicateKeysAndSyntaxErrorsNameTheLine() throws IOException {
    Path f = file("d.yaml", "model: m\ndata: d\noptim:\n  lr: 1e-5\n  lr: 2e-5\n");
    ConfigException ex = assertThrows(ConfigException.class, () -> SftConfig.loader().load(f, List.of()));
    assertEquals(f + ":5: optim.lr: duplicate key", ex.problems().getFirst().toString());
    Path j = file("d.json", "{\"model\": \"m\",\n\"model\": \"n\"}");
    ex = assertThrows(ConfigException.class, () -> SftConfig.loader().load(j, List.of()));
    assertTrue(ex.getMessage().contains(j + ":2: not valid JSON: Duplicate field 'model'"), ex.getMessage());
    Path s = file("s.yaml", "model: m\n  data: [\n");
    ex = assertThrows(ConfigException.class, () -> SftConfig.loader().load(s, List.of()));
    assertTrue(ex.getMessage().contains("not valid YAML"), ex.getMessage());
    ex = assertThrows(ConfigException.class, () -> SftConfig.fromArgs("--config", dir.resolve("missing.yaml").toString()));
    assertTrue(ex.getMessage().contains("missing.yaml: configuration file not found"), ex.getMessage());
  }

  @Test
  void tableIsAlignedAndShowsOrigins() {
    EffectiveConfig<SftConfig> e = SftConfig.fromArgs("--model", "Qwen/Qwen2.5-0.5B-Instruct", "--data", "d.jsonl", "--lr", "1e-5");
    String t = e.table("sft");
    List<String> lines = t.lines().toList();
    int width = lines.getFirst().length();
    for (String l : lines.subList(0, lines.size() - 1)) assertEquals(width, l.length(), "misaligned: " + l);
    assertTrue(t.contains("| sft configuration "), t);
    assertTrue(lines.stream().anyMatch(l -> l.matches("\\| optim\\.lr +\\| 1e-5 +\\| --lr +\\|")), t);
    assertTrue(lines.stream().anyMatch(l -> l.matches("\\| lora +\\| null +\\| default +\\|")), t);
    assertTrue(lines.stream().anyMatch(l -> l.matches("\\| optim\\.schedule +\\| cosine +\\| default +\\|")), t);
    assertEquals("config hash " + e.hash().substring(0, 16), lines.getLast());
    assertEquals(e.entries().size() + 5, lines.size());
  }

  @Test
  void yamlRoundTripKeepsValueAndHash() throws IOException {
    for (EffectiveConfig<?> e : List.<EffectiveConfig<?>>of(
        GrpoConfig.fromArgs("--model", "a: b # not a comment", "--data", "true", "--lora-r", "4", "--kl-beta", "3.3e-7", "--seed", "-5"),
        SftConfig.fromArgs("--model", "m", "--data", "null", "--lr", "0.1", "--warmup-ratio", "0"))) {
      Path f = file("eff.yaml", e.toYaml());
      EffectiveConfig<?> back = e.value() instanceof GrpoConfig ? GrpoConfig.loader().load(f, List.of()) : SftConfig.loader().load(f, List.of());
      assertEquals(e.value(), back.value(), e.toYaml());
      assertEquals(e.hash(), back.hash());
    }
  }

  @Test
  void hashIgnoresRunSectionOnly() {
    EffectiveConfig<SftConfig> a = SftConfig.fromArgs("--model", "m", "--data", "d");
    EffectiveConfig<SftConfig> b = SftConfig.fromArgs("--model", "m", "--data", "d", "--save-every", "7", "--out", "elsewhere", "--progress", "off");
    EffectiveConfig<SftConfig> c = SftConfig.fromArgs("--model", "m", "--data", "d", "--lr", "1e-5", "--lora-r", "8");
    assertEquals(a.hash(), b.hash());
    assertNotEquals(a.hash(), c.hash());
    assertEquals(a.hash(), EffectiveConfig.hashOf(a.hashedValues()));
    assertFalse(a.hashedValues().containsKey("run.out"));
    assertEquals(List.of("lora: null -> (absent)", "lora.alpha: (absent) -> 8.0", "lora.dropout: (absent) -> 0.0", "lora.r: (absent) -> 8",
        "lora.rslora: (absent) -> false", "lora.targets: (absent) -> [q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj]",
        "optim.lr: 5e-6 -> 1e-5"), EffectiveConfig.diff(a.hashedValues(), c.hashedValues()));
  }

  @Test
  void codeBuiltConfigsAreValidatedToo() {
    SftConfig good = new SftConfig("m", "d", "cuda:1", "high", 1, BadRecordPolicy.SKIP, OptimConfig.sftDefaults(), SftOptions.defaults(), LoraConfig.defaults(),
        RunConfig.defaults("x", 5));
    EffectiveConfig<SftConfig> e = SftConfig.loader().describe(good);
    assertTrue(e.entries().stream().allMatch(x -> x.origin().equals("code")));
    SftConfig bad = new SftConfig("m", "d", "cpu", "highest", 1, BadRecordPolicy.SKIP, OptimConfig.sftDefaults(), SftOptions.defaults(),
        new LoraConfig(8, 8, 0, false, List.of("q_proj", "q_proj")), RunConfig.defaults("x", 5));
    ConfigException ex = assertThrows(ConfigException.class, () -> SftConfig.loader().validate(bad));
    assertEquals("code: lora.targets: names a module twice (got [q_proj, q_proj])", ex.problems().getFirst().toString());
  }

  @Test
  void crossSectionCheck() {
    ConfigException ex = assertThrows(ConfigException.class,
        () -> GrpoConfig.fromArgs("--model", "m", "--data", "d", "--prompts-per-step", "6", "--mini-batches", "2", "--group-size", "5", "--micro-batch", "4"));
    assertEquals("--micro-batch: grpo.micro_batch: must divide the responses per mini-batch (prompts_per_step / mini_batches * group_size = 15) (got 4)",
        ex.problems().getFirst().toString());
  }

  @Test
  void argumentErrors() {
    ConfigException ex = assertThrows(ConfigException.class, () -> SftConfig.fromArgs("--model", "m", "--data", "d", "stray", "--lr"));
    assertEquals(2, ex.problems().size(), ex.getMessage());
    assertTrue(ex.getMessage().contains("unexpected argument 'stray'"), ex.getMessage());
    assertTrue(ex.getMessage().contains("--lr: optim.lr: needs a value"), ex.getMessage());
    ex = assertThrows(ConfigException.class, () -> SftConfig.fromArgs("--set", "nonsense"));
    assertTrue(ex.getMessage().contains("expected KEY=VALUE"), ex.getMessage());
    ex = assertThrows(ConfigException.class, () -> SftConfig.fromArgs("--no-lora=yes"));
    assertTrue(ex.getMessage().contains("--no-lora: lora: takes no value"), ex.getMessage());
  }

  @Test
  void parseArgsExposesFileAndOverrides() {
    ConfigLoader.Args a = SftConfig.loader().parseArgs(List.of("--config", "x.yaml", "--lr", "1e-5", "--set", "lora.r=4"));
    assertEquals(Path.of("x.yaml"), a.configFile());
    assertEquals(List.of(new Setting("optim.lr", "1e-5", "--lr"), new Setting("lora.r", "4", "--set lora.r")), a.overrides());
  }

  @Test
  void helpListsEveryKeyWithFlagsAndDefaults() {
    String h = GrpoConfig.loader().keysHelp();
    for (String k : List.of("model", "rollout.group_size", "grpo.kl_beta", "optim.lr", "lora", "lora.r", "run.out", "run.keep_last")) {
      assertTrue(h.lines().anyMatch(l -> l.startsWith("  " + k + " = ")), k + " missing in\n" + h);
    }
    List<String> lines = h.lines().toList();
    assertEquals(2 * (GrpoConfig.loader().describe(GrpoConfig.fromArgs("--model", "m", "--data", "d", "--lora").value()).entries().size() + 1), lines.size());
    int i = lines.indexOf("  grpo.kl_beta = 0.001   --kl-beta, --grpo-kl-beta");
    assertTrue(i >= 0, h);
    assertEquals("      weight of the KL-to-reference term in the loss (k3 estimator)", lines.get(i + 1));
    assertTrue(lines.contains("  model = (required)   --model"), h);
    assertTrue(lines.contains("  lora.r = (section off)   --lora-r"), h);
    assertTrue(h.contains("loss reduction over tokens and sequences [token_mean, seq_mean_token_mean, seq_mean_token_sum, dr_grpo]"), h);
  }

  @Test
  void settingsRejectOtherRawTypes() {
    assertThrows(IllegalArgumentException.class, () -> new Setting("a", 3, "code"));
    assertEquals(Map.of(), Setting.ON);
  }
}

package dev.rmr1.training.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.models.ModelSaver;
import dev.rmr1.models.config.Architecture;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tokenizers.PretrainedTokenizer;
import dev.rmr1.training.config.BadRecordPolicy;
import dev.rmr1.training.config.ConfigMismatchPolicy;
import dev.rmr1.training.config.GrpoConfig;
import dev.rmr1.training.config.GrpoOptions;
import dev.rmr1.training.config.LossAggregation;
import dev.rmr1.training.config.LrScheduleKind;
import dev.rmr1.training.config.OptimConfig;
import dev.rmr1.training.config.ProgressMode;
import dev.rmr1.training.config.RolloutConfig;
import dev.rmr1.training.config.RunConfig;
import dev.rmr1.training.config.SftOptions;
import dev.rmr1.training.data.PromptFormat;
import dev.rmr1.training.data.SftRecord;
import dev.rmr1.training.data.SftTextBuilder;
import dev.rmr1.training.eval.EvalHarness;
import dev.rmr1.training.eval.EvalOptions;
import dev.rmr1.training.eval.EvalRun;
import dev.rmr1.training.eval.ProgressListener;
import dev.rmr1.training.grpo.GrpoPrompt;
import dev.rmr1.training.grpo.GrpoPrompts;
import dev.rmr1.training.grpo.GrpoStepMetrics;
import dev.rmr1.training.grpo.GrpoTrainer;
import dev.rmr1.training.judge.ChatJudge;
import dev.rmr1.training.judge.ModelGenerator;
import dev.rmr1.training.judge.PretrainedChat;
import dev.rmr1.training.metrics.MetricNames;
import dev.rmr1.training.metrics.MetricsLogger;
import dev.rmr1.training.sft.SftSample;
import dev.rmr1.training.sft.SftSampleBuilder;
import dev.rmr1.training.sft.SftStepMetrics;
import dev.rmr1.training.sft.SftTrainer;
import dev.rmr1.training.sft.TrainableModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The end-to-end RM-R1 story on a laptop CPU, from one seed: a byte-level BPE tokenizer trained on generated text, a
 * tiny Qwen2 model with random weights, the verifiable arithmetic judging task, teacher traces in RM-R1's format,
 * SFT distillation, GRPO with RM-R1's reward, and held-out judging accuracy before SFT, after SFT and after GRPO.
 * Both stages run the project's real trainers ({@link SftTrainer}, {@link GrpoTrainer}); the held-out set goes through
 * the benchmark {@link EvalHarness}. GRPO fine-tunes every weight, with the SFT model as the frozen reference, as
 * RM-R1 did.
 *
 * <p>What GRPO adds: the teacher checks answers in two ways ({@link TeacherTraces.Check}), mostly by comparing whole
 * numbers, which this small model imitates but cannot carry out (its judgements are then at chance), and otherwise by
 * subtracting last digits, which it can. SFT imitates the teacher's majority way; the verifiable reward makes the
 * policy switch to the way that earns it. The log of every GRPO step shows the reward, the share of rollouts with a
 * readable verdict and the share using the last-digit check.
 *
 * <p>Output folder: {@code model/} (the final judge: weights, config, tokenizer, {@code judge_prompts.json}),
 * {@code sft-model/}, {@code metrics.jsonl}, {@code eval_metrics.jsonl}, {@code eval/} (per-sample logs and summaries of the three evaluations),
 * and the report written by {@link DemoReport}.
 */
public final class Demo {
  /** Metric name of the held-out accuracy, logged at the step each evaluation follows. */
  public static final String HELD_OUT_ACCURACY = "eval/held_out_accuracy";
  /** Training metrics, one line per SFT step then per GRPO step (numbered on after the SFT steps). */
  public static final String METRICS = "metrics.jsonl";
  /** The held-out accuracy at step 0, after SFT and after GRPO (a second log: a step may have both). */
  public static final String EVAL_METRICS = "eval_metrics.jsonl";
  /** Per GRPO step: the share of rollouts whose last 80 characters hold exactly one verdict tag (what the reward reads). */
  public static final String ROLLOUT_VERDICT = "demo/rollout_verdict_fraction";
  /** Per GRPO step: the share of rollouts that check the answers by last digits. */
  public static final String ROLLOUT_LAST_DIGITS = "demo/rollout_last_digit_fraction";

  private final DemoSettings s;
  private final Path out;
  private final PrintStream log;
  private final Device device;

  /** The demo on the CPU, the embedded default. */
  public Demo(DemoSettings settings, Path out, PrintStream log) {
    this(settings, out, log, Device.CPU);
  }

  /** The demo with its models (and so every forward, backward and generation) on {@code device}. */
  public Demo(DemoSettings settings, Path out, PrintStream log, Device device) {
    this.s = settings;
    this.out = out;
    this.log = log;
    this.device = device;
  }

  /** What the run measured: accuracies by stage, wall seconds by stage, model size. */
  public record Outcome(Map<String, Double> accuracy, Map<String, Double> lastDigitCheck, Map<String, Double> seconds, long parameters, int vocab) {}

  public Outcome run() {
    Map<String, Double> seconds = new LinkedHashMap<>();
    Map<String, Double> accuracy = new LinkedHashMap<>();
    Map<String, Double> lastDigits = new LinkedHashMap<>();
    long t = System.nanoTime();
    Path tokDir = out.resolve("tokenizer");
    PretrainedTokenizer tok = DemoTokenizer.train(s.seed(), s.vocab(), s.corpusPairs(), s.maxOperand(), tokDir);
    PretrainedChat chat = new PretrainedChat(tok);
    int eos = tok.tokenizer().tokenToId(DemoTokenizer.EOS);
    int pad = tok.tokenizer().tokenToId(DemoTokenizer.PAD);
    seconds.put("tokenizer", lap(t));
    log.printf(Locale.ROOT, "tokenizer: %d ids, byte-level BPE trained on %d generated conversations%n", tok.tokenizer().vocabSize(), s.corpusPairs());

    DemoData data = DemoData.generate(s.seed(), s.sftPairs(), s.grpoPairs(), s.heldOutPairs(), s.maxOperand(), s.operators(), s.heldOutFraction());
    ModelConfig config = ModelConfig.builder(Architecture.QWEN2)
        .vocabSize(tok.tokenizer().vocabSize()).hiddenSize(s.hidden()).intermediateSize(s.intermediate())
        .numHiddenLayers(s.layers()).numAttentionHeads(s.heads()).numKeyValueHeads(s.kvHeads())
        .maxPositionEmbeddings(s.maxPositions()).tieWordEmbeddings(true)
        .eosTokenIds(List.of(eos)).padTokenId(pad).dtype(DType.F32).build();
    long parameters;
    Path sftDir = out.resolve("sft-model");
    try (MetricsLogger metrics = MetricsLogger.create(out.resolve(METRICS)); MetricsLogger evals = MetricsLogger.create(out.resolve(EVAL_METRICS))) {
      try (CausalLM model = CausalLM.random(config, DType.F32, s.seed(), 0.02, device)) {
        parameters = model.namedParameters().values().stream().mapToLong(p -> p.value().numel()).sum();
        log.printf(Locale.ROOT, "model: Qwen2 architecture, %d layers, hidden %d, %,d parameters%n", s.layers(), s.hidden(), parameters);
        t = System.nanoTime();
        accuracy.put("before_sft", evaluate(data, chat, model, eos, "before_sft", evals, 0, lastDigits));
        seconds.put("eval_before_sft", lap(t));
        t = System.nanoTime();
        sft(model, chat, eos, pad, data, metrics);
        seconds.put("sft", lap(t));
        t = System.nanoTime();
        accuracy.put("after_sft", evaluate(data, chat, model, eos, "after_sft", evals, s.sftSteps(), lastDigits));
        seconds.put("eval_after_sft", lap(t));
        ModelSaver.save(model, sftDir, ModelSaver.Options.defaults().withTokenizerFrom(tokDir));
      }
      try (TrainableModel policy = TrainableModel.load(sftDir, device, null, new Rng(s.seed()));
          CausalLM reference = CausalLM.load(sftDir, LoadOptions.inference().withDevice(device))) {
        t = System.nanoTime();
        grpo(policy, reference, chat, eos, pad, data, metrics);
        seconds.put("grpo", lap(t));
        t = System.nanoTime();
        accuracy.put("after_grpo", evaluate(data, chat, policy.model(), eos, "after_grpo", evals, s.sftSteps() + s.grpoSteps(), lastDigits));
        seconds.put("eval_after_grpo", lap(t));
        ModelSaver.save(policy.model(), out.resolve("model"), ModelSaver.Options.defaults().withTokenizerFrom(tokDir));
        DemoPrompts.write(out.resolve("model").resolve(DemoPrompts.FILE_NAME));
      }
    }
    return new Outcome(accuracy, lastDigits, seconds, parameters, tok.tokenizer().vocabSize());
  }

  private void sft(CausalLM model, PretrainedChat chat, int eos, int pad, DemoData data, MetricsLogger metrics) {
    SftSampleBuilder builder = new SftSampleBuilder(new SftTextBuilder(chat, DemoTokenizer.EOS, false), chat, eos, s.maxPositions());
    List<SftSample> samples = new ArrayList<>();
    for (SftRecord r : data.sftRecords(s.seed(), s.compareFraction())) builder.build(r).ifPresent(samples::add);
    // as many passes over the pairs as the steps need; the trainer stops at sftSteps
    int epochs = Math.max(1, Math.ceilDiv(s.sftSteps() * s.sftBatch(), Math.max(1, samples.size())));
    SftOptions options = new SftOptions(s.sftBatch(), s.sftBatch(), epochs, s.sftSteps(), s.maxPositions(), false, false);
    OptimConfig optim = new OptimConfig(s.sftLr(), 0.9, 0.95, 1e-8, 0.0, 1.0, LrScheduleKind.COSINE, 0.03, 0.1);
    try (SftTrainer trainer = new SftTrainer(TrainableModel.of(model, null), samples, options, optim, s.seed(), pad)) {
      while (!trainer.finished()) {
        SftStepMetrics m = trainer.trainStep();
        metrics.log((int) m.step(), Map.of(MetricNames.TRAIN_LOSS, m.loss(), MetricNames.LR, m.lr(), MetricNames.GRAD_NORM, m.gradNorm(),
            MetricNames.TOKENS_PER_S, m.tokensPerSecond()));
        if (m.step() % 10 == 0 || trainer.finished()) {
          log.printf(Locale.ROOT, "sft  step %3d/%d  loss %.4f  %.0f tokens/s%n", m.step(), trainer.totalSteps(), m.loss(), m.tokensPerSecond());
        }
      }
    }
    model.train(false);
  }

  private void grpo(TrainableModel policy, CausalLM reference, PretrainedChat chat, int eos, int pad, DemoData data, MetricsLogger metrics) {
    int maxPrompt = s.maxPositions() - s.maxNewTokens();
    List<GrpoPrompt> prompts = GrpoPrompts.prepare(data.rlvrRecords(), chat, chat, maxPrompt).prompts();
    // up to four prompts' groups per forward/backward: wider rows for the CPU kernels, verl's token mean per micro-batch
    int microBatch = s.group() * (s.grpoPrompts() % 4 == 0 ? 4 : s.grpoPrompts() % 2 == 0 ? 2 : 1);
    GrpoConfig config = new GrpoConfig(out.resolve("sft-model").toString(), "demo", device.toString(), "highest", s.seed(), BadRecordPolicy.FAIL,
        new RolloutConfig(s.group(), 1.0, 1.0, 0, maxPrompt, s.maxNewTokens()),
        new GrpoOptions(s.grpoPrompts(), 1, microBatch, 1, s.grpoSteps(), 0.2, 1e-3, 10.0, 0.0, LossAggregation.TOKEN_MEAN, true, false, "rm_r1"),
        new OptimConfig(s.grpoLr(), 0.9, 0.999, 1e-8, 0.01, 1.0, LrScheduleKind.CONSTANT, 0.0, 0.0), null,
        new RunConfig(out.resolve("grpo"), false, 0, 1, 1, 0, 0, 2, ConfigMismatchPolicy.ERROR, ProgressMode.OFF));
    RolloutCensus census = new RolloutCensus();
    try (GrpoTrainer trainer = new GrpoTrainer(policy, reference, prompts, config, chat, census, new int[] {eos}, pad)) {
      while (!trainer.finished()) {
        GrpoStepMetrics m = trainer.trainStep();
        RolloutCensus.Counts c = census.take();
        Map<String, Double> values = new LinkedHashMap<>(m.values());
        values.put(ROLLOUT_VERDICT, c.verdictFraction());
        values.put(ROLLOUT_LAST_DIGITS, c.lastDigitFraction());
        metrics.log((int) (s.sftSteps() + m.step()), values);
        log.printf(Locale.ROOT, "grpo step %3d/%d  reward %+.3f  rollout accuracy %.3f  verdict %.2f  last-digit check %.2f  length %.1f  %.1f s%n",
            m.step(), trainer.totalSteps(), m.reward().mean(), m.accuracy(), c.verdictFraction(), c.lastDigitFraction(),
            m.completions().meanLength(), m.seconds());
      }
    }
    policy.model().train(false);
  }

  private double evaluate(DemoData data, PretrainedChat chat, CausalLM model, int eos, String stage, MetricsLogger metrics, int step,
      Map<String, Double> lastDigits) {
    ChatJudge judge = new ChatJudge(chat, new ModelGenerator(model, Set.of(eos), s.evalBatch()), s.maxNewTokens());
    EvalHarness h = new EvalHarness(DemoPrompts.prompts(), new EvalOptions(PromptFormat.INSTRUCT, s.seed(), false, s.evalBatch(), false));
    EvalRun run = h.run(data.heldOutBenchmark(), judge, out.resolve("eval").resolve(stage + ".jsonl"),
        out.resolve("eval").resolve(stage + ".json"), ProgressListener.NONE);
    double acc = run.headline().get("accuracy");
    JsonNode checks = run.summary().path("scores").path("checks");
    lastDigits.put(stage, checks.path("last_digits").path("fraction").asDouble());
    metrics.log(step, Map.of(HELD_OUT_ACCURACY, acc));
    log.printf(Locale.ROOT, "held-out accuracy %-10s %.3f  (%d pairs, no verdict %.3f; checks: compare %.2f right %.2f, last digits %.2f right %.2f)%n",
        stage, acc, data.heldOut().size(), run.summary().path("errors").path("rate").asDouble(), checks.path("compare").path("fraction").asDouble(),
        checks.path("compare").path("accuracy").asDouble(), checks.path("last_digits").path("fraction").asDouble(),
        checks.path("last_digits").path("accuracy").asDouble());
    return acc;
  }

  private static double lap(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}

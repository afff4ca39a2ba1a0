package dev.rmr1.training.demo;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.config.Architecture;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.tensor.DType;
import dev.rmr1.tokenizers.PretrainedTokenizer;
import dev.rmr1.training.config.LrScheduleKind;
import dev.rmr1.training.config.OptimConfig;
import dev.rmr1.training.config.SftOptions;
import dev.rmr1.training.data.PromptFormat;
import dev.rmr1.training.data.SftRecord;
import dev.rmr1.training.data.SftTextBuilder;
import dev.rmr1.training.eval.EvalHarness;
import dev.rmr1.training.eval.EvalOptions;
import dev.rmr1.training.eval.EvalRun;
import dev.rmr1.training.eval.ProgressListener;
import dev.rmr1.training.judge.ChatJudge;
import dev.rmr1.training.judge.ModelGenerator;
import dev.rmr1.training.judge.PretrainedChat;
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
 * The end-to-end RM-R1 story on a laptop CPU: tokenizer, tiny Qwen2 model, verifiable arithmetic judging task,
 * teacher traces, SFT distillation, GRPO with the RM-R1 reward, and held-out judging accuracy before SFT, after SFT
 * and after GRPO, all from one seed.
 */
public final class Demo {
  private final DemoSettings s;
  private final Path out;
  private final PrintStream log;

  public Demo(DemoSettings settings, Path out, PrintStream log) {
    this.s = settings;
    this.out = out;
    this.log = log;
  }

  /** What the stages measured. */
  public record Outcome(Map<String, Double> accuracy, List<SftStepMetrics> sft, Map<String, Double> seconds) {}

  public Outcome run() {
    Map<String, Double> seconds = new LinkedHashMap<>();
    Map<String, Double> accuracy = new LinkedHashMap<>();
    long t = System.nanoTime();
    PretrainedTokenizer tok = DemoTokenizer.train(s.seed(), s.vocab(), s.corpusPairs(), s.maxOperand(), out.resolve("model"));
    PretrainedChat chat = new PretrainedChat(tok);
    int eos = tok.tokenizer().tokenToId(DemoTokenizer.EOS);
    int pad = tok.tokenizer().tokenToId(DemoTokenizer.PAD);
    seconds.put("tokenizer", lap(t));
    log.printf(Locale.ROOT, "tokenizer: %d ids (byte-level BPE trained on %d generated conversations)%n", tok.tokenizer().vocabSize(), s.corpusPairs());

    DemoData data = DemoData.generate(s.seed(), s.sftPairs(), s.grpoPairs(), s.heldOutPairs(), s.maxOperand(), s.heldOutFraction());
    ModelConfig config = ModelConfig.builder(Architecture.QWEN2)
        .vocabSize(tok.tokenizer().vocabSize()).hiddenSize(s.hidden()).intermediateSize(s.intermediate())
        .numHiddenLayers(s.layers()).numAttentionHeads(s.heads()).numKeyValueHeads(s.kvHeads())
        .maxPositionEmbeddings(s.maxPositions()).tieWordEmbeddings(true)
        .eosTokenIds(List.of(eos)).padTokenId(pad).dtype(DType.F32).build();
    try (CausalLM model = CausalLM.random(config, DType.F32, s.seed(), 0.02)) {
      log.printf(Locale.ROOT, "model: Qwen2, %d layers, hidden %d, %,d parameters%n", s.layers(), s.hidden(),
          model.namedParameters().values().stream().mapToLong(p -> p.value().numel()).sum());
      ChatJudge judge = new ChatJudge(chat, new ModelGenerator(model, Set.of(eos), s.evalBatch()), s.maxNewTokens());
      t = System.nanoTime();
      accuracy.put("before_sft", evaluate(data, judge, "before_sft"));
      seconds.put("eval_before_sft", lap(t));

      t = System.nanoTime();
      List<SftStepMetrics> sft = sft(model, chat, eos, pad, data);
      seconds.put("sft", lap(t));
      t = System.nanoTime();
      accuracy.put("after_sft", evaluate(data, judge, "after_sft"));
      seconds.put("eval_after_sft", lap(t));
      return new Outcome(accuracy, sft, seconds);
    }
  }

  private List<SftStepMetrics> sft(CausalLM model, PretrainedChat chat, int eos, int pad, DemoData data) {
    SftSampleBuilder builder = new SftSampleBuilder(new SftTextBuilder(chat, DemoTokenizer.EOS, false), chat, eos, s.maxPositions());
    List<SftSample> samples = new ArrayList<>();
    for (SftRecord r : data.sftRecords()) builder.build(r).ifPresent(samples::add);
    SftOptions options = new SftOptions(s.sftBatch(), s.sftBatch(), 1, s.sftSteps(), s.maxPositions(), false, false);
    OptimConfig optim = new OptimConfig(s.sftLr(), 0.9, 0.95, 1e-8, 0.0, 1.0, LrScheduleKind.COSINE, 0.03, 0.1);
    List<SftStepMetrics> steps = new ArrayList<>();
    try (SftTrainer trainer = new SftTrainer(TrainableModel.of(model, null), samples, options, optim, s.seed(), pad)) {
      while (!trainer.finished()) {
        SftStepMetrics m = trainer.trainStep();
        steps.add(m);
        if (m.step() % 10 == 0 || trainer.finished()) {
          log.printf(Locale.ROOT, "sft step %d/%d loss %.4f lr %.2e %.0f tok/s%n", m.step(), trainer.totalSteps(), m.loss(), m.lr(), m.tokensPerSecond());
        }
      }
    }
    model.train(false);
    return steps;
  }

  private double evaluate(DemoData data, ChatJudge judge, String stage) {
    EvalHarness h = new EvalHarness(DemoPrompts.prompts(), new EvalOptions(PromptFormat.INSTRUCT, s.seed(), false, s.evalBatch(), false));
    EvalRun run = h.run(data.heldOutBenchmark(), judge, out.resolve("eval").resolve(stage + ".jsonl"),
        out.resolve("eval").resolve(stage + ".json"), ProgressListener.NONE);
    double acc = run.headline().get("accuracy");
    log.printf(Locale.ROOT, "held-out accuracy %s: %.3f (errors %.3f)%n", stage, acc, run.summary().path("errors").path("rate").asDouble());
    return acc;
  }

  private static double lap(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  public static void main(String[] args) {
    DemoSettings d = DemoSettings.defaults(args.length > 0 ? Long.parseLong(args[0]) : 1);
    long t0 = System.nanoTime();
    Outcome o = new Demo(d, Path.of(args.length > 1 ? args[1] : "runs/demo"), System.out).run();
    System.out.println(o.accuracy() + " " + o.seconds() + " total " + lap(t0));
  }
}

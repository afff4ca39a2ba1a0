package dev.rmr1.training.sft;

import dev.rmr1.models.generate.GenerationOptions;
import dev.rmr1.models.generate.GenerationRequest;
import dev.rmr1.models.generate.Generator;
import dev.rmr1.models.generate.SamplingParams;
import dev.rmr1.models.hub.ModelResolver;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.MatmulPrecision;
import dev.rmr1.tensor.Rng;
import dev.rmr1.training.checkpoint.LoadedCheckpoint;
import dev.rmr1.training.config.EffectiveConfig;
import dev.rmr1.training.config.LoraConfig;
import dev.rmr1.training.config.SftConfig;
import dev.rmr1.training.data.JsonRecordReader;
import dev.rmr1.training.data.SftRecord;
import dev.rmr1.training.data.SftTextBuilder;
import dev.rmr1.training.data.TrainingDatasets;
import dev.rmr1.training.metrics.MetricNames;
import dev.rmr1.training.metrics.SampleRow;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A whole SFT distillation run ({@code ./rmr1 sft}): prints the effective configuration, loads the model (hub id or
 * directory), its tokenizer and the SFT records, tokenizes them (spec 5), trains with {@link SftTrainer} while writing
 * metrics, plots, sample generations and checkpoints, resumes from the newest checkpoint of {@code run.out} when there
 * is one, and exports the result: {@code final-model/} (a Hugging Face directory; LoRA merged) and, with LoRA,
 * {@code final-adapter/} (PEFT).
 */
public final class SftRun {
  private SftRun() {}

  /** Where the run left its results. */
  public record Result(long steps, Path out, Path model, Path adapter) {}

  public static Result run(EffectiveConfig<SftConfig> effective, PrintStream console) {
    SftConfig c = effective.value();
    console.print(effective.table("sft"));
    if (c.model() == null || c.data() == null) throw new IllegalArgumentException("sft needs --model and --data");
    Path modelDir = ModelResolver.fromEnvironment().resolve(c.model()).directory();
    ModelTokenizer tok = ModelTokenizer.load(modelDir);

    JsonRecordReader.Loaded<SftRecord> loaded = TrainingDatasets.readSft(Path.of(c.data()),
        dev.rmr1.training.data.BadRecordPolicy.valueOf(c.badRecords().name()));
    console.println(loaded.report().summary());
    SftSampleBuilder builder = new SftSampleBuilder(new SftTextBuilder(tok.chatTemplate(), tok.eosText(), c.sft().maskAssistantHeader()), tok,
        tok.eosId(), c.sft().maxLen());
    List<SftSample> samples = new ArrayList<>();
    for (SftRecord r : loaded.records()) builder.build(r).ifPresent(samples::add);
    SftDataStats stats = builder.stats();
    console.println("sft data: " + stats);
    if (samples.isEmpty()) throw new IllegalArgumentException(c.data() + ": no usable SFT sample (" + stats + ")");

    MatmulPrecision.parse(c.float32MatmulPrecision()).set();
    try (TrainableModel model = TrainableModel.load(modelDir, Device.parse(c.device()), nnLora(c.lora()), new Rng(c.seed()));
        SftTrainer trainer = new SftTrainer(model, samples, c.sft(), c.optim(), c.seed(), tok.eosId())) {
      console.println((model.isLora() ? "LoRA (a deviation from RM-R1's full fine-tuning): " : "full fine-tuning: ") + model.trainableCount()
          + " trainable parameters; " + trainer.totalSteps() + " optimizer steps");
      Optional<LoadedCheckpoint> resume = RunLog.findResume(c.run(), effective, console);
      resume.ifPresent(trainer::restore);
      resume.ifPresent(r -> console.println("resumed from " + r.dir() + " at step " + r.step()));
      try (RunLog log = RunLog.open(c.run(), effective, "sft", trainer.step(), trainer.totalSteps(), console)) {
        while (!trainer.finished()) {
          SftStepMetrics s = trainer.trainStep();
          Map<String, Double> v = new LinkedHashMap<>();
          v.put(MetricNames.TRAIN_LOSS, s.loss());
          v.put(MetricNames.LR, s.lr());
          v.put(MetricNames.GRAD_NORM, s.gradNorm());
          v.put(MetricNames.LOSS_TOKENS, (double) s.lossTokens());
          v.put(MetricNames.TOKENS_PER_S, s.tokensPerSecond());
          v.put(MetricNames.STEP_TIME, s.seconds());
          v.put("epoch", (double) s.epoch());
          v.put(MetricNames.DROPPED, (double) stats.dropped());
          v.put(MetricNames.TRUNCATED, (double) stats.truncated());
          log.step(s.step(), v, RunLog.pick(v, MetricNames.TRAIN_LOSS, MetricNames.LR, MetricNames.GRAD_NORM, MetricNames.TOKENS_PER_S));
          if (log.sampleDue(s.step())) log.samples(s.step(), generateSamples(model, tok, loaded.records(), c));
          if (log.saveDue(s.step())) trainer.save(log.checkpoints(), log.complete(trainer.state()));
        }
        log.finish();
      }
      Path out = c.run().out();
      Path adapter = null;
      if (model.isLora()) {
        adapter = out.resolve("final-adapter");
        ModelExport.adapter(model, adapter, c.model());
      }
      Path merged = out.resolve("final-model");
      ModelExport.merged(model, merged, modelDir);
      console.println("saved " + merged + (adapter != null ? " and " + adapter : ""));
      return new Result(trainer.step(), out, merged, adapter);
    }
  }

  /** Greedy completions of the first {@code run.num_samples} prompts (the records' context with the generation prompt). */
  static List<SampleRow> generateSamples(TrainableModel model, ModelTokenizer tok, List<SftRecord> records, SftConfig c) {
    List<GenerationRequest> requests = new ArrayList<>();
    List<String> prompts = new ArrayList<>();
    int limit = model.model().config().maxPositionEmbeddings(), longest = 0;
    for (SftRecord r : records) {
      if (requests.size() == c.run().numSamples()) break;
      String prompt = tok.chatTemplate().render(r.contextMessages(), true);
      int[] ids = tok.encode(prompt);
      if (ids.length >= Math.min(limit, c.sft().maxLen())) continue;
      prompts.add(prompt);
      longest = Math.max(longest, ids.length);
      requests.add(new GenerationRequest(ids, SamplingParams.GREEDY, 0));
    }
    if (requests.isEmpty()) return List.of();
    int maxNew = Math.max(1, Math.min(512, Math.min(limit, c.sft().maxLen()) - longest));
    model.model().train(false);
    try {
      var gens = new Generator(model.model()).generate(requests, GenerationOptions.of(maxNew).withEos(Set.of(tok.eosId()))).generations();
      List<SampleRow> rows = new ArrayList<>();
      for (int i = 0; i < gens.size(); i++) rows.add(SampleRow.of(prompts.get(i), tok.decode(gens.get(i).tokens())));
      return rows;
    } finally {
      model.model().train(true);
    }
  }

  /** The nn LoRA configuration of the config's section, or null for full fine-tuning. */
  static dev.rmr1.nn.LoraConfig nnLora(LoraConfig l) {
    return l == null ? null : new dev.rmr1.nn.LoraConfig(l.r(), l.alpha(), l.dropout(), l.rslora(), l.targets());
  }
}

package dev.rmr1.training.grpo;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.models.config.GenerationConfig;
import dev.rmr1.models.hub.ModelResolver;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.MatmulPrecision;
import dev.rmr1.tensor.Rng;
import dev.rmr1.training.checkpoint.LoadedCheckpoint;
import dev.rmr1.training.config.EffectiveConfig;
import dev.rmr1.training.config.GrpoConfig;
import dev.rmr1.training.data.JsonRecordReader;
import dev.rmr1.training.data.RlvrRecord;
import dev.rmr1.training.data.TrainingDatasets;
import dev.rmr1.training.metrics.MetricNames;
import dev.rmr1.training.metrics.SampleRow;
import dev.rmr1.training.reward.RewardFunction;
import dev.rmr1.training.sft.ModelExport;
import dev.rmr1.training.sft.ModelTokenizer;
import dev.rmr1.training.sft.RunLog;
import dev.rmr1.training.sft.TrainableModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A whole GRPO run ({@code ./rmr1 grpo}): prints the effective configuration, loads the policy (hub id or directory),
 * its tokenizer and the RLVR records, renders and tokenizes the prompts (dropping those over
 * {@code rollout.max_prompt_len}, counted), trains with {@link GrpoTrainer} while writing metrics, sample rows, plots
 * and checkpoints, resumes from the newest checkpoint of {@code run.out}, and exports {@code final-model/} and, with
 * LoRA, {@code final-adapter/}. Responses end at the tokenizer's eos or any eos of {@code generation_config.json}.
 */
public final class GrpoRun {
  private GrpoRun() {}

  public record Result(long steps, Path out, Path model, Path adapter) {}

  public static Result run(EffectiveConfig<GrpoConfig> effective, PrintStream console) {
    GrpoConfig c = effective.value();
    console.print(effective.table("grpo"));
    if (c.model() == null || c.data() == null) throw new IllegalArgumentException("grpo needs --model and --data");
    Path modelDir = ModelResolver.fromEnvironment().resolve(c.model()).directory();
    ModelTokenizer tok = ModelTokenizer.load(modelDir);
    RewardFunction reward = RewardFunctions.byName(c.grpo().reward(), tok.eosText());

    JsonRecordReader.Loaded<RlvrRecord> loaded = TrainingDatasets.readRlvr(Path.of(c.data()),
        dev.rmr1.training.data.BadRecordPolicy.valueOf(c.badRecords().name()));
    console.println(loaded.report().summary());
    GrpoPrompts.Prepared prepared = GrpoPrompts.prepare(loaded.records(), tok.chatTemplate(), tok, c.rollout().maxPromptLen());
    console.println("grpo prompts: " + prepared.prompts().size() + " kept, " + prepared.dropped() + " dropped (over " + c.rollout().maxPromptLen()
        + " tokens)");

    Device device = Device.parse(c.device());
    MatmulPrecision.parse(c.float32MatmulPrecision()).set();
    dev.rmr1.nn.LoraConfig lora = c.lora() == null ? null
        : new dev.rmr1.nn.LoraConfig(c.lora().r(), c.lora().alpha(), c.lora().dropout(), c.lora().rslora(), c.lora().targets());
    try (TrainableModel policy = TrainableModel.load(modelDir, device, lora, new Rng(c.seed()));
        CausalLM reference = !policy.isLora() && c.grpo().klBeta() != 0 ? CausalLM.load(modelDir, LoadOptions.inference().withDevice(device)) : null;
        GrpoTrainer trainer = new GrpoTrainer(policy, reference, prepared.prompts(), c, tok, reward, eosIds(modelDir, policy, tok), tok.eosId())) {
      console.println((policy.isLora() ? "LoRA (a deviation from RM-R1's full fine-tuning; reference = base with adapters off): "
          : "full fine-tuning" + (reference != null ? " with a frozen reference copy: " : ": ")) + policy.trainableCount() + " trainable parameters; "
          + trainer.totalSteps() + " steps of " + c.grpo().promptsPerStep() + " prompts x " + c.rollout().groupSize());
      Optional<LoadedCheckpoint> resume = RunLog.findResume(c.run(), effective, console);
      resume.ifPresent(trainer::restore);
      resume.ifPresent(r -> console.println("resumed from " + r.dir() + " at step " + r.step()));
      try (RunLog log = RunLog.open(c.run(), effective, "grpo", trainer.step(), trainer.totalSteps(), console)) {
        while (!trainer.finished()) {
          GrpoStepMetrics s = trainer.trainStep();
          Map<String, Double> v = s.values();
          log.step(s.step(), v, RunLog.pick(v, MetricNames.REWARD_MEAN, MetricNames.REWARD_ACCURACY, MetricNames.KL_LOSS, MetricNames.MEAN_LENGTH));
          if (log.sampleDue(s.step())) {
            List<SampleRow> rows = new ArrayList<>();
            for (GrpoStepMetrics.Sample x : s.samples()) rows.add(SampleRow.of(x.prompt(), x.completion(), x.reward(), x.advantage()));
            log.samples(s.step(), rows);
          }
          if (log.saveDue(s.step())) trainer.save(log.checkpoints(), log.complete(trainer.state()));
        }
        log.finish();
      }
      Path out = c.run().out();
      Path adapter = null;
      if (policy.isLora()) {
        adapter = out.resolve("final-adapter");
        ModelExport.adapter(policy, adapter, c.model());
      }
      Path merged = out.resolve("final-model");
      ModelExport.merged(policy, merged, modelDir);
      console.println("saved " + merged + (adapter != null ? " and " + adapter : ""));
      return new Result(trainer.step(), out, merged, adapter);
    }
  }

  /** The tokenizer's eos and those of generation_config.json (Qwen2.5 lists both {@code <|im_end|>} and {@code <|endoftext|>}). */
  static int[] eosIds(Path modelDir, TrainableModel policy, ModelTokenizer tok) {
    Set<Integer> ids = new LinkedHashSet<>();
    ids.add(tok.eosId());
    ids.addAll(GenerationConfig.forModelDirectory(modelDir, policy.model().config()).eosTokenIds());
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }
}

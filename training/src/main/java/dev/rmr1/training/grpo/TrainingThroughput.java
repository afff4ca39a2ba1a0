package dev.rmr1.training.grpo;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.LoraConfig;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.MatmulPrecision;
import dev.rmr1.tensor.Rng;
import dev.rmr1.training.config.GrpoConfig;
import dev.rmr1.training.config.GrpoOptions;
import dev.rmr1.training.config.LossAggregation;
import dev.rmr1.training.config.OptimConfig;
import dev.rmr1.training.config.RolloutConfig;
import dev.rmr1.training.config.SftOptions;
import dev.rmr1.training.sft.SftSample;
import dev.rmr1.training.sft.SftStepMetrics;
import dev.rmr1.training.sft.SftTrainer;
import dev.rmr1.training.sft.TokenCodec;
import dev.rmr1.training.sft.TrainableModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Training throughput on a model with random weights and random token data (no download, no tokenizer): SFT
 * tokens/s (non-padding tokens through forward and backward, plus the optimizer step, per second of step) and, for
 * GRPO, rollout tokens/s (generated tokens per second of batched KV-cache sampling) and update tokens/s (prompt +
 * response tokens through forward and backward per second of the updates). Medians over the measured steps.
 */
public final class TrainingThroughput {
  private TrainingThroughput() {}

  /**
   * @param loraRank 0 for full fine-tuning (F32 weights), otherwise LoRA of this rank on all seven linear layers of a
   *     frozen BF16 base
   * @param seqLen SFT sequence length; the first {@code promptLen} positions are masked
   * @param newTokens GRPO response length (eos is never sampled: the eos id is outside the random prompts' range and
   *     has probability ~1/V per token)
   */
  public record Settings(ModelConfig model, int loraRank, boolean checkpointing, int seqLen, int promptLen, int batch, int microBatch, int warmup,
      int steps, int grpoPrompts, int groupSize, int grpoPromptLen, int newTokens, int grpoMicroBatch, long seed, Device device) {}

  /** Medians of the measured steps, and every step's values. */
  public record Result(double sftTokensPerSecond, double rolloutTokensPerSecond, double updateTokensPerSecond, double grpoStepSeconds,
      List<Double> sftSteps, List<Double> rolloutSteps, List<Double> updateSteps, long trainableParameters, double sftCpuPerWall,
      double grpoCpuPerWall) {}

  public static Result run(Settings s) {
    List<Double> sft = new ArrayList<>();
    CpuClock sftClock = new CpuClock(), grpoClock = new CpuClock();
    long trainable;
    try (TrainableModel m = model(s)) {
      trainable = m.trainableCount();
      Rng rng = new Rng(s.seed());
      List<SftSample> samples = new ArrayList<>();
      for (int i = 0; i < s.batch(); i++) samples.add(new SftSample(randomIds(rng, s.seqLen(), s.model().vocabSize() - 1), s.promptLen(), false));
      SftOptions o = new SftOptions(s.batch(), s.microBatch(), s.warmup() + s.steps(), 0, s.seqLen(), false, s.checkpointing());
      try (SftTrainer t = new SftTrainer(m, samples, o, OptimConfig.sftDefaults(), s.seed(), 0)) {
        for (int i = 0; i < s.warmup() + s.steps(); i++) {
          if (i == s.warmup()) sftClock.start();
          SftStepMetrics r = t.trainStep();
          if (i >= s.warmup()) sft.add(r.tokensPerSecond());
        }
        sftClock.stop();
      }
    }
    List<Double> rollout = new ArrayList<>(), update = new ArrayList<>(), stepSeconds = new ArrayList<>();
    try (TrainableModel m = model(s);
        CausalLM reference = m.isLora() ? null : CausalLM.random(s.model(), DType.BF16, s.seed(), 0.02, s.device())) {
      Rng rng = new Rng(s.seed() + 1);
      int eos = s.model().vocabSize() - 1;
      List<GrpoPrompt> prompts = new ArrayList<>();
      for (int i = 0; i < s.grpoPrompts(); i++) prompts.add(new GrpoPrompt(randomIds(rng, s.grpoPromptLen(), eos), "model_a"));
      TokenCodec codec = new TokenCodec() {
        @Override
        public int[] encode(String text) {
          return text.chars().toArray();
        }

        @Override
        public String decode(int[] ids) {
          StringBuilder sb = new StringBuilder();
          for (int id : ids) sb.append((char) (id % 0xD000));
          return sb.toString();
        }
      };
      GrpoConfig d = GrpoConfig.defaults();
      GrpoOptions go = new GrpoOptions(s.grpoPrompts(), 1, s.grpoMicroBatch(), s.warmup() + s.steps(), 0, 0.2, 1e-3, 10.0, 0.0,
          LossAggregation.TOKEN_MEAN, true, s.checkpointing(), "bench");
      GrpoConfig c = new GrpoConfig("random", "random", s.device().toString(), MatmulPrecision.current().toString(), s.seed(), d.badRecords(),
          new RolloutConfig(s.groupSize(), 1.0, 1.0, 0, s.grpoPromptLen(), s.newTokens()), go, OptimConfig.grpoDefaults(), null, d.run());
      try (GrpoTrainer t = new GrpoTrainer(m, reference, prompts, c, codec, (text, label) -> text.charAt(0) % 2 == 0 ? 1 : -1, new int[] {eos}, 0)) {
        for (int i = 0; i < s.warmup() + s.steps(); i++) {
          if (i == s.warmup()) grpoClock.start();
          GrpoStepMetrics r = t.trainStep();
          if (i < s.warmup()) continue;
          rollout.add(r.rolloutTokensPerSecond());
          update.add(r.updateTokensPerSecond());
          stepSeconds.add(r.seconds());
        }
        grpoClock.stop();
      }
    }
    return new Result(median(sft), median(rollout), median(update), median(stepSeconds), sft, rollout, update, trainable, sftClock.ratio(),
        grpoClock.ratio());
  }

  /**
   * The model of the settings. With LoRA the GRPO reference is the base with adapters off; for full fine-tuning the
   * reference is a frozen BF16 model of the same shape (random too: only its cost matters here).
   */
  private static TrainableModel model(Settings s) {
    if (s.loraRank() == 0) return TrainableModel.of(CausalLM.random(s.model(), DType.F32, s.seed(), 0.02, s.device()), null);
    CausalLM base = CausalLM.random(s.model(), DType.BF16, s.seed(), 0.02, s.device());
    LoraConfig lora = new LoraConfig(s.loraRank(), 2.0 * s.loraRank(), 0, false, List.of(LoraConfig.ALL_LINEAR));
    Lora.apply(base, lora, new Rng(s.seed()));
    return TrainableModel.of(base, lora);
  }

  private static int[] randomIds(Rng rng, int n, int bound) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) ids[i] = rng.nextInt(bound);
    return ids;
  }

  /**
   * Process CPU time over wall time of the measured steps: about the core count on an idle machine, less when other
   * processes share the cores (then wall-clock rates understate what the code does).
   */
  private static final class CpuClock {
    private final com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private long cpu0, wall0, cpu, wall;

    void start() {
      cpu0 = os.getProcessCpuTime();
      wall0 = System.nanoTime();
    }

    void stop() {
      cpu = os.getProcessCpuTime() - cpu0;
      wall = System.nanoTime() - wall0;
    }

    double ratio() {
      return wall > 0 ? (double) cpu / wall : Double.NaN;
    }
  }

  static double median(List<Double> xs) {
    if (xs.isEmpty()) return Double.NaN;
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}

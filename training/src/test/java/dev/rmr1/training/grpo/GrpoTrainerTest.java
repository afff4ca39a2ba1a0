package dev.rmr1.training.grpo;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.NamedParameter;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Rng;
import dev.rmr1.training.TrainingFixtures;
import dev.rmr1.training.checkpoint.CheckpointManager;
import dev.rmr1.training.config.GrpoConfig;
import dev.rmr1.training.config.GrpoOptions;
import dev.rmr1.training.config.LossAggregation;
import dev.rmr1.training.config.OptimConfig;
import dev.rmr1.training.config.RolloutConfig;
import dev.rmr1.training.reward.RewardFunction;
import dev.rmr1.training.sft.TokenCodec;
import dev.rmr1.training.sft.TrainableModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrpoTrainerTest {
  static final int EOS = 1;

  /** Ids as characters starting at 'A' - 2; id 1 is the eos text. */
  static final TokenCodec CODEC = new TokenCodec() {
    @Override
    public int[] encode(String text) {
      return text.chars().map(c -> c - 'A' + 2).toArray();
    }

    @Override
    public String decode(int[] ids) {
      StringBuilder sb = new StringBuilder();
      for (int id : ids) sb.append(id == EOS ? "<|im_end|>" : String.valueOf((char) (id - 2 + 'A')));
      return sb.toString();
    }
  };

  /** +1 when the response's first character is in the prompt's label set (an easily learnable rule), else -1. */
  static final RewardFunction FIRST_CHAR = (response, label) -> label.indexOf(response.charAt(0)) >= 0 ? 1.0 : -1.0;

  static List<GrpoPrompt> prompts(int n, long seed) {
    Rng rng = new Rng(seed);
    List<GrpoPrompt> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] ids = new int[3 + rng.nextInt(5)];
      for (int j = 0; j < ids.length; j++) ids[j] = 2 + rng.nextInt(300);
      StringBuilder label = new StringBuilder();
      for (int c = 0; c < 320; c += 2) label.append((char) (c - 2 + 'A')); // half the vocabulary
      out.add(new GrpoPrompt(ids, label.toString()));
    }
    return out;
  }

  static GrpoConfig config(int promptsPerStep, int groupSize, int miniBatches, int micro, int epochs, double lr, double klBeta) {
    GrpoConfig d = GrpoConfig.defaults();
    GrpoOptions o = new GrpoOptions(promptsPerStep, miniBatches, micro, epochs, 0, 0.2, klBeta, 10.0, 0.0, LossAggregation.TOKEN_MEAN, true,
        false, "test");
    RolloutConfig r = new RolloutConfig(groupSize, 1.0, 1.0, 0, 64, 5);
    OptimConfig oc = OptimConfig.grpoDefaults();
    OptimConfig optim = new OptimConfig(lr, oc.beta1(), oc.beta2(), oc.eps(), oc.weightDecay(), oc.gradClip(), oc.schedule(), 0, 0);
    return new GrpoConfig("m", "d", "cpu", "highest", 17, d.badRecords(), r, o, optim, null, d.run());
  }

  static TrainableModel loraTiny(long seed) {
    CausalLM m = CausalLM.load(TrainingFixtures.tinyModel(), LoadOptions.inference());
    Lora.apply(m, TrainingFixtures.TINY_LORA, new Rng(seed));
    return TrainableModel.of(m, TrainingFixtures.TINY_LORA);
  }

  @Test
  void firstStepIsOnPolicyAndAtTheReference() {
    try (TrainableModel m = loraTiny(1);
        GrpoTrainer t = new GrpoTrainer(m, null, prompts(4, 1), config(2, 4, 1, 4, 1, 1e-2, 1e-3), CODEC, FIRST_CHAR, new int[] {EOS}, 0)) {
      assertEquals(2, t.totalSteps());
      GrpoStepMetrics s = t.trainStep();
      assertEquals(1, s.step());
      assertEquals(1, s.updates());
      // one update on fresh rollouts: ratio 1, nothing clipped; LoRA B = 0 makes the policy the reference
      assertEquals(0.0, s.pgClipfrac());
      assertEquals(0.0, s.ppoKl(), 1e-6);
      assertEquals(0.0, s.klLoss(), 1e-9);
      assertTrue(s.entropy() > 0);
      assertTrue(s.gradNorm() > 0);
      assertTrue(s.completions().maxLength() <= 5);
      assertTrue(s.rolloutTokens() > 0 && s.updateTokens() > s.rolloutTokens());
      assertEquals(4, s.samples().size(), "run.num_samples rows");
      var v = s.values();
      for (String key : List.of("reward/mean", "reward/std", "frac_reward_zero_std", "completions/mean_length", "completions/clipped_ratio",
          "actor/pg_loss", "actor/pg_clipfrac", "actor/ppo_kl", "actor/kl_loss", "actor/kl_coef", "actor/entropy", "actor/grad_norm",
          "actor/lr", "timing/generate_s", "timing/old_logp_s", "timing/ref_logp_s", "timing/update_s"))
        assertTrue(v.containsKey(key), key);
      // the second step's rollouts come from the updated policy, which now differs from the reference
      GrpoStepMetrics s2 = t.trainStep();
      assertTrue(s2.klLoss() > 0, "kl " + s2.klLoss());
      assertTrue(t.finished());
    }
  }

  /** (even - odd) / length over the response's characters: every token carries signal. */
  static final RewardFunction EVEN_TOKENS = (response, label) -> {
    int[] ids = CODEC.encode(response.replace("<|im_end|>", ""));
    double score = 0;
    for (int id : ids) score += id % 2 == 0 ? 1 : -1;
    return ids.length == 0 ? 0 : score / ids.length;
  };

  @Test
  void rewardRisesOnALearnableRule() {
    try (TrainableModel m = TrainableModel.of(TrainingFixtures.trainableTiny(DType.F32), null);
        GrpoTrainer t = new GrpoTrainer(m, null, prompts(2, 2), config(2, 8, 2, 4, 6, 3e-2, 0.0), CODEC, EVEN_TOKENS, new int[] {EOS}, 0)) {
      List<Double> means = new ArrayList<>();
      while (!t.finished()) {
        GrpoStepMetrics s = t.trainStep();
        means.add(s.reward().mean());
        assertEquals(2, s.updates());
        assertTrue(Double.isNaN(s.klLoss()), "no reference without a KL term");
      }
      double early = (means.get(0) + means.get(1)) / 2, late = (means.get(4) + means.get(5)) / 2;
      assertTrue(late > early + 0.3, "reward means " + means);
    }
  }

  /** A run resumed from the checkpoint after step 1 produces the same step 2 and the same weights. */
  @Test
  void resumeIsExact(@TempDir Path dir) throws Exception {
    GrpoConfig c = config(2, 3, 2, 3, 1, 1e-2, 1e-3);
    List<GrpoPrompt> ps = prompts(4, 3);
    CheckpointManager ckpt = new CheckpointManager(dir, 1);
    GrpoStepMetrics second;
    List<double[]> weights = new ArrayList<>();
    try (TrainableModel m = loraTiny(3); GrpoTrainer t = new GrpoTrainer(m, null, ps, c, CODEC, FIRST_CHAR, new int[] {EOS}, 0)) {
      t.trainStep();
      t.save(ckpt, t.state());
      second = t.trainStep();
      for (NamedParameter p : m.parameters()) weights.add(p.value().toDoubleArray());
    }
    try (TrainableModel m = loraTiny(99); GrpoTrainer t = new GrpoTrainer(m, null, ps, c, CODEC, FIRST_CHAR, new int[] {EOS}, 0)) {
      t.restore(ckpt.latest().orElseThrow());
      assertEquals(1, t.step());
      assertEquals(2, t.optimizer().stepCount());
      GrpoStepMetrics again = t.trainStep();
      assertEquals(second.samples(), again.samples());
      assertEquals(second.completions(), again.completions());
      assertEquals(second.loss(), again.loss());
      assertEquals(second.pgClipfrac(), again.pgClipfrac());
      int i = 0;
      for (NamedParameter p : m.parameters()) assertArrayEquals(weights.get(i++), p.value().toDoubleArray(), p.name());
    }
  }

  @Test
  void fullFineTuningUsesAFrozenReference() {
    try (TrainableModel m = TrainableModel.of(TrainingFixtures.trainableTiny(DType.F32), null);
        CausalLM ref = CausalLM.load(TrainingFixtures.tinyModel(), LoadOptions.inference())) {
      GrpoConfig c = config(2, 2, 1, 4, 1, 1e-2, 0.1);
      assertThrows(IllegalArgumentException.class, () -> new GrpoTrainer(m, null, prompts(2, 4), c, CODEC, FIRST_CHAR, new int[] {EOS}, 0));
      try (GrpoTrainer t = new GrpoTrainer(m, ref, prompts(4, 4), c, CODEC, FIRST_CHAR, new int[] {EOS}, 0)) {
        GrpoStepMetrics s1 = t.trainStep();
        assertEquals(0.0, s1.klLoss(), 1e-9, "before any update the policy is the reference");
        GrpoStepMetrics s2 = t.trainStep();
        assertTrue(s2.klLoss() > 0);
      }
    }
  }
}

package dev.rmr1.training.grpo;

import dev.rmr1.autograd.Grad;
import dev.rmr1.autograd.RandomState;
import dev.rmr1.models.CausalLM;
import dev.rmr1.models.generate.Generation;
import dev.rmr1.models.generate.GenerationOptions;
import dev.rmr1.models.generate.GenerationRequest;
import dev.rmr1.models.generate.Generator;
import dev.rmr1.models.generate.SamplingParams;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.optim.AdamW;
import dev.rmr1.nn.optim.GradClip;
import dev.rmr1.nn.optim.OptimParam;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.training.checkpoint.CheckpointManager;
import dev.rmr1.training.checkpoint.LoadedCheckpoint;
import dev.rmr1.training.checkpoint.TrainerState;
import dev.rmr1.training.config.GrpoConfig;
import dev.rmr1.training.config.GrpoOptions;
import dev.rmr1.training.config.RolloutConfig;
import dev.rmr1.training.reward.RewardFunction;
import dev.rmr1.training.sft.EpochOrder;
import dev.rmr1.training.sft.OptimizerSetup;
import dev.rmr1.training.sft.TokenCodec;
import dev.rmr1.training.sft.TrainableModel;
import dev.rmr1.training.sft.TrainerCheckpoints;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * GRPO with a verifiable reward as RM-R1 ran verl (spec 6). One {@link #trainStep} is:
 *
 * <ol>
 *   <li>rollout: the next {@code prompts_per_step} prompts of the seeded epoch order (drop-last), each sampled
 *       {@code group_size} times (temperature 1, top-p 1, no top-k by default) with the batched KV-cache generator;
 *       every response has its own seed derived from (run seed, step, index), so a resumed step samples the same;
 *   <li>reward: the decoded response through its first eos, special tokens kept, scored by the {@link RewardFunction}
 *       against the prompt's label; group-normalised advantages;
 *   <li>old log-probs recomputed by the current policy, and reference log-probs from the base model with the LoRA
 *       adapters disabled (no second copy) or from a frozen reference model (full fine-tuning);
 *   <li>{@code mini_batches} optimizer updates over consecutive slices of the prompts, each accumulating micro-batches
 *       of {@code micro_batch} responses with verl's per-micro-batch aggregation divided by the accumulation count,
 *       clipping the global gradient norm (pre-clip norm logged), one AdamW step (betas (0.9, 0.999), weight decay
 *       0.01 on every parameter, constant lr by default).
 * </ol>
 */
public final class GrpoTrainer implements AutoCloseable {
  public static final String STAGE = "grpo";

  private final TrainableModel policy;
  private final CausalLM reference;
  private final List<GrpoPrompt> prompts;
  private final RolloutConfig rollout;
  private final GrpoOptions options;
  private final GrpoLoss loss;
  private final TokenCodec codec;
  private final RewardFunction reward;
  private final int[] eosIds;
  private final int padId;
  private final long seed;
  private final int numSamples;
  private final List<OptimParam> params;
  private final AdamW optimizer;
  private final double gradClip;
  private final int stepsPerEpoch;
  private final long totalSteps;
  private long step;
  private int epoch, stepInEpoch;

  /**
   * @param reference the frozen reference policy for full fine-tuning; null with LoRA (the base with adapters off is
   *     the reference) or when the KL coefficient is 0
   * @param eosIds the ids that end a response (the first one in a response ends its mask)
   * @param padId any valid id, used for padding rows (never scored)
   */
  public GrpoTrainer(TrainableModel policy, CausalLM reference, List<GrpoPrompt> prompts, GrpoConfig config, TokenCodec codec,
      RewardFunction reward, int[] eosIds, int padId) {
    this.policy = policy;
    this.reference = reference;
    this.prompts = List.copyOf(prompts);
    this.rollout = config.rollout();
    this.options = config.grpo();
    this.loss = new GrpoLoss(options.clipEps(), options.klBeta(), options.klClamp(), options.entropyCoeff(), options.lossAggregation());
    this.codec = codec;
    this.reward = reward;
    if (eosIds.length == 0) throw new IllegalArgumentException("GRPO needs at least one eos id to end responses");
    this.eosIds = eosIds.clone();
    this.padId = padId;
    this.seed = config.seed();
    this.numSamples = config.run().numSamples();
    if (options.klBeta() != 0 && !policy.isLora() && reference == null)
      throw new IllegalArgumentException("GRPO with full fine-tuning and kl_beta " + options.klBeta()
          + " needs a frozen reference model (with LoRA the base with adapters disabled is the reference)");
    if (policy.isLora() && reference != null)
      throw new IllegalArgumentException("GRPO with LoRA uses the base model (adapters disabled) as the reference; do not pass a second model");
    int responses = config.responsesPerMiniBatch();
    if (responses % options.microBatch() != 0)
      throw new IllegalArgumentException("grpo.micro_batch " + options.microBatch() + " does not divide the " + responses + " responses of a mini-batch");
    this.stepsPerEpoch = this.prompts.size() / options.promptsPerStep();
    if (stepsPerEpoch == 0)
      throw new IllegalArgumentException("GRPO: " + this.prompts.size() + " prompts are fewer than prompts_per_step (" + options.promptsPerStep() + ")");
    long all = (long) options.epochs() * stepsPerEpoch;
    this.totalSteps = options.maxSteps() > 0 ? Math.min(options.maxSteps(), all) : all;
    this.gradClip = config.optim().gradClip();
    this.params = policy.optimParams();
    this.optimizer = OptimizerSetup.adamW(config.optim(), params, totalSteps * options.miniBatches(), false);
    policy.model().setGradientCheckpointing(options.gradientCheckpointing());
    RandomState.seed(seed);
  }

  public long totalSteps() {
    return totalSteps;
  }

  public long step() {
    return step;
  }

  public boolean finished() {
    return step >= totalSteps;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** The prompts of the next step, in order. */
  public List<GrpoPrompt> nextPrompts() {
    int[] order = EpochOrder.permutation(prompts.size(), seed, epoch);
    List<GrpoPrompt> out = new ArrayList<>(options.promptsPerStep());
    for (int i = 0; i < options.promptsPerStep(); i++) out.add(prompts.get(order[stepInEpoch * options.promptsPerStep() + i]));
    return out;
  }

  /** Rollouts, rewards, log-probs and the updates of one step. */
  public GrpoStepMetrics trainStep() {
    if (finished()) throw new IllegalStateException("GRPO: all " + totalSteps + " steps are done");
    List<GrpoPrompt> batch = nextPrompts();
    CausalLM model = policy.model();
    int g = rollout.groupSize();

    long t0 = System.nanoTime();
    model.train(false);
    List<Completion> completions = generate(model, batch);
    List<int[]> promptIds = new ArrayList<>(batch.size());
    List<String> labels = new ArrayList<>(batch.size());
    for (GrpoPrompt p : batch) {
      promptIds.add(p.ids());
      labels.add(p.label());
    }
    ScoredRollouts scored = ScoredRollouts.score(promptIds, labels, g, completions, codec, reward, options.normAdvByStd());
    long t1 = System.nanoTime();

    float[][] old = logProbs(model, scored);
    long t2 = System.nanoTime();
    float[][] ref = null;
    if (options.klBeta() != 0) {
      if (policy.isLora()) {
        Lora.setEnabled(model, false); // the base model is the reference policy
        try {
          ref = logProbs(model, scored);
        } finally {
          Lora.setEnabled(model, true);
        }
      } else {
        ref = logProbs(reference, scored);
      }
    }
    long t3 = System.nanoTime();

    model.train(true);
    PolicyLossMetrics actor = new PolicyLossMetrics();
    double normSum = 0, lr = optimizer.lr(0);
    long updateTokens = 0;
    int perMini = scored.size() / options.miniBatches();
    int k = perMini / options.microBatch();
    for (int u = 0; u < options.miniBatches(); u++) {
      for (int mb = 0; mb < k; mb++) {
        int from = u * perMini + mb * options.microBatch();
        updateTokens += update(model, scored, old, ref, from, from + options.microBatch(), 1.0 / k, actor);
      }
      normSum += gradClip > 0 ? GradClip.clipGradNorm(params, gradClip) : GradClip.totalNorm(params);
      optimizer.step();
      policy.clearGrads();
      actor.endUpdate();
    }
    long t4 = System.nanoTime();

    List<GrpoStepMetrics.Sample> samples = new ArrayList<>();
    for (int i = 0; i < Math.min(numSamples, scored.size()); i++)
      samples.add(new GrpoStepMetrics.Sample(codec.decode(scored.promptOf(i)), scored.texts().get(i), scored.rewards()[i], scored.advantages()[i]));
    double positive = 0;
    for (double r : scored.rewards()) if (r > 0) positive++;
    CompletionStats cs = scored.completionStats();
    int doneEpoch = epoch;
    step++;
    if (++stepInEpoch == stepsPerEpoch) {
      stepInEpoch = 0;
      epoch++;
    }
    return new GrpoStepMetrics(step, doneEpoch, scored.rewardStats(), positive / scored.size(), cs, actor.loss(), actor.pgLoss(),
        actor.pgClipfrac(), actor.ppoKl(), actor.klLoss(), options.klBeta(), actor.entropy(), normSum / options.miniBatches(), lr,
        actor.updates(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9, cs.tokens(), updateTokens, samples);
  }

  /** G samples of every prompt, each request seeded by (run seed, step, index). */
  private List<Completion> generate(CausalLM model, List<GrpoPrompt> batch) {
    SamplingParams sampling = rollout.samplingParams();
    Rng seeds = new Rng(seed * 0x9E3779B97F4A7C15L + step);
    List<GenerationRequest> requests = new ArrayList<>();
    for (GrpoPrompt p : batch)
      for (int j = 0; j < rollout.groupSize(); j++) requests.add(new GenerationRequest(p.ids(), sampling, seeds.nextLong()));
    Set<Integer> eos = new HashSet<>();
    for (int e : eosIds) eos.add(e);
    List<Generation> gens = new Generator(model).generate(requests, GenerationOptions.of(rollout.maxNewTokens()).withEos(eos)).generations();
    List<Completion> out = new ArrayList<>(gens.size());
    for (int i = 0; i < gens.size(); i++) {
      Generation gen = gens.get(i);
      if (gen.tokens().length == 0)
        throw new IllegalStateException("response " + i + " is empty: the prompt fills the model's context (" + batch.get(i / rollout.groupSize()).length()
            + " tokens)");
      out.add(Completion.of(gen.tokens(), eosIds));
    }
    return out;
  }

  /** Log-probs of every response's tokens under {@code model}, without a graph, in micro-batches. */
  @SuppressWarnings("try") // the guard and scope are used for what they disable and free
  private float[][] logProbs(CausalLM model, ScoredRollouts s) {
    float[][] out = new float[s.size()][];
    try (Grad.Guard noGrad = Grad.disabled()) {
      for (int from = 0; from < s.size(); from += options.microBatch()) {
        int to = Math.min(s.size(), from + options.microBatch());
        try (TensorScope scope = TensorScope.open()) {
          ResponseBatch rb = rows(s, from, to);
          float[] lp = rb.score(model, rollout.temperature(), false, false).logProbs().data().toFloatArray(); // (n, L)
          for (int i = from; i < to; i++) {
            int len = s.completions().get(i).length();
            out[i] = Arrays.copyOfRange(lp, (i - from) * rb.responseLength(), (i - from) * rb.responseLength() + len);
          }
        }
      }
    }
    return out;
  }

  private ResponseBatch rows(ScoredRollouts s, int from, int to) {
    List<int[]> ps = new ArrayList<>(to - from), rs = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      ps.add(s.promptOf(i));
      rs.add(s.completions().get(i).tokens());
    }
    return ResponseBatch.of(ps, rs, padId);
  }

  /** Forward and backward of responses [from, to) with the loss scaled by {@code scale}; returns the tokens processed. */
  private long update(CausalLM model, ScoredRollouts s, float[][] old, float[][] ref, int from, int to, double scale, PolicyLossMetrics actor) {
    try (TensorScope scope = TensorScope.open()) {
      ResponseBatch rb = rows(s, from, to);
      Device d = model.device();
      DType dt = model.computeDtype();
      ResponseBatch.Scores scores = rb.score(model, rollout.temperature(), true, options.entropyCoeff() != 0);
      Tensor mask = rb.mask(d, dt);
      double[] adv = Arrays.copyOfRange(s.advantages(), from, to);
      GrpoLoss.Result r = loss.compute(scores.logProbs(), padded(old, from, to, rb.responseLength(), d, dt),
          ref == null ? null : padded(ref, from, to, rb.responseLength(), d, dt), Tensor.of(d, dt, adv, adv.length), mask, scores.entropy(),
          AggregationTotals.of(mask, rollout.maxNewTokens()), scale);
      double value = r.loss().item();
      r.loss().backward();
      actor.add(r, value);
      long tokens = 0;
      for (int i = from; i < to; i++) tokens += s.promptOf(i).length + s.completions().get(i).length();
      return tokens;
    }
  }

  /** Rows [from, to) of per-response values as (n, width), zero-padded. */
  private static Tensor padded(float[][] values, int from, int to, int width, Device d, DType dt) {
    double[] flat = new double[(to - from) * width];
    for (int i = from; i < to; i++)
      for (int j = 0; j < values[i].length; j++) flat[(i - from) * width + j] = values[i][j];
    return Tensor.of(d, dt, flat, to - from, width);
  }

  /** The trainer state of the current position (add the metrics tail and configuration before saving). */
  public TrainerState state() {
    return TrainerCheckpoints.state(STAGE, step, epoch, stepInEpoch, optimizer);
  }

  /** Saves a checkpoint of the current step with {@code state} (from {@link #state()}); returns its directory. */
  public Path save(CheckpointManager checkpoints, TrainerState state) {
    if (state.step() != step) throw new IllegalArgumentException("trainer state of step " + state.step() + " at step " + step);
    return TrainerCheckpoints.save(checkpoints, policy, optimizer, state);
  }

  /** Restores a checkpoint that a trainer with the same configuration saved. */
  public void restore(LoadedCheckpoint checkpoint) {
    TrainerState s = TrainerCheckpoints.restore(checkpoint, STAGE, policy, optimizer, totalSteps, options.miniBatches());
    step = s.step();
    epoch = s.epoch();
    stepInEpoch = Math.toIntExact(s.dataPosition());
  }

  @Override
  public void close() {
    optimizer.close();
  }
}

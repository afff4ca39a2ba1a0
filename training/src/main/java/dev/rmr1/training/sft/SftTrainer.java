package dev.rmr1.training.sft;

import dev.rmr1.autograd.RandomState;
import dev.rmr1.autograd.Var;
import dev.rmr1.nn.optim.AdamW;
import dev.rmr1.nn.optim.GradClip;
import dev.rmr1.nn.optim.OptimParam;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.training.checkpoint.CheckpointManager;
import dev.rmr1.training.checkpoint.LoadedCheckpoint;
import dev.rmr1.training.checkpoint.TrainerState;
import dev.rmr1.training.config.OptimConfig;
import dev.rmr1.training.config.SftOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * SFT distillation steps (spec 5): each optimizer step takes the next {@code global_batch} samples of the seeded
 * epoch order ({@link SftBatchPlan}), runs them as length-bucketed micro-batches of {@code micro_batch} sequences,
 * accumulates the gradients of {@code loss / K} over the step's K micro-batches ({@link SftLoss}), clips the global
 * norm (logging the pre-clip norm), and takes one AdamW step at the scheduled learning rate (RM-R1: betas (0.9, 0.95),
 * no weight decay, cosine with 3% warmup to 0.1 lr; biases and norms are excluded from decay as in OpenRLHF).
 *
 * <p>The trainer owns the optimizer; the model belongs to the caller. {@link #save} and {@link #load} write and read
 * everything a resumed run needs to continue bit for bit: trainable weights, optimizer state with its schedule
 * position, data position and the dropout stream.
 */
public final class SftTrainer implements AutoCloseable {
  public static final String STAGE = "sft";

  private final TrainableModel model;
  private final List<SftSample> samples;
  private final SftBatchPlan plan;
  private final List<OptimParam> params;
  private final AdamW optimizer;
  private final double gradClip;
  private final int padId;
  private final long totalSteps;
  private long step;
  private int epoch, stepInEpoch;

  /**
   * @param padId the id right-padding is filled with (any valid id: padded positions are never trained on)
   * @param seed seeds the data order and the dropout stream
   */
  public SftTrainer(TrainableModel model, List<SftSample> samples, SftOptions options, OptimConfig optim, long seed, int padId) {
    if (samples.isEmpty()) throw new IllegalArgumentException("SFT: no training samples");
    this.model = model;
    this.samples = List.copyOf(samples);
    int[] lengths = new int[samples.size()];
    for (int i = 0; i < lengths.length; i++) lengths[i] = samples.get(i).length();
    this.plan = new SftBatchPlan(lengths, options.globalBatch(), options.microBatch(), seed);
    long all = (long) options.epochs() * plan.stepsPerEpoch();
    this.totalSteps = options.maxSteps() > 0 ? Math.min(options.maxSteps(), all) : all;
    this.gradClip = optim.gradClip();
    this.padId = padId;
    this.params = model.optimParams();
    this.optimizer = OptimizerSetup.adamW(optim, params, totalSteps, true);
    model.model().setGradientCheckpointing(options.gradientCheckpointing());
    model.model().train(true);
    RandomState.seed(seed);
  }

  /** Optimizer steps of the whole run. */
  public long totalSteps() {
    return totalSteps;
  }

  /** Completed optimizer steps. */
  public long step() {
    return step;
  }

  public boolean finished() {
    return step >= totalSteps;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  public TrainableModel model() {
    return model;
  }

  /** Runs the next optimizer step. */
  public SftStepMetrics trainStep() {
    if (finished()) throw new IllegalStateException("SFT: all " + totalSteps + " steps are done");
    long t0 = System.nanoTime();
    List<int[]> micro = plan.step(epoch, stepInEpoch);
    int k = micro.size();
    double loss = 0;
    long lossTokens = 0, tokens = 0;
    for (int[] idx : micro) {
      List<SftSample> rows = new ArrayList<>(idx.length);
      for (int i : idx) rows.add(samples.get(i));
      SftMicroBatch mb = SftMicroBatch.of(idx, rows, padId);
      try (TensorScope scope = TensorScope.open()) {
        Var l = SftLoss.of(model.model(), mb, k);
        loss += l.item();
        l.backward();
      }
      lossTokens += mb.lossTokens();
      tokens += mb.tokens();
    }
    double norm = gradClip > 0 ? GradClip.clipGradNorm(params, gradClip) : GradClip.totalNorm(params);
    double lr = optimizer.lr(0);
    optimizer.step();
    model.clearGrads();
    int doneEpoch = epoch;
    step++;
    if (++stepInEpoch == plan.stepsPerEpoch()) {
      stepInEpoch = 0;
      epoch++;
    }
    return new SftStepMetrics(step, doneEpoch, loss, lr, norm, lossTokens, tokens, k, (System.nanoTime() - t0) / 1e9);
  }

  /** The trainer state of the current position (add the metrics tail and configuration before saving). */
  public TrainerState state() {
    return TrainerCheckpoints.state(STAGE, step, epoch, stepInEpoch, optimizer);
  }

  /** Saves a checkpoint of the current step with {@code state} (from {@link #state()}); returns its directory. */
  public Path save(CheckpointManager checkpoints, TrainerState state) {
    if (state.step() != step) throw new IllegalArgumentException("trainer state of step " + state.step() + " at step " + step);
    return TrainerCheckpoints.save(checkpoints, model, optimizer, state);
  }

  /** Restores a checkpoint that a trainer with the same configuration saved. */
  public void restore(LoadedCheckpoint checkpoint) {
    TrainerState s = TrainerCheckpoints.restore(checkpoint, STAGE, model, optimizer, totalSteps, 1);
    step = s.step();
    epoch = s.epoch();
    stepInEpoch = Math.toIntExact(s.dataPosition());
  }

  @Override
  public void close() {
    optimizer.close();
  }
}

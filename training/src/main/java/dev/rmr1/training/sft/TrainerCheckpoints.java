package dev.rmr1.training.sft;

import dev.rmr1.autograd.RandomState;
import dev.rmr1.nn.optim.Optimizer;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import dev.rmr1.training.checkpoint.CheckpointManager;
import dev.rmr1.training.checkpoint.LoadedCheckpoint;
import dev.rmr1.training.checkpoint.TrainerState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a trainer puts into a {@link CheckpointManager} checkpoint and takes back out: the trainable weights as the
 * tensor group {@value #WEIGHTS}, the optimizer state with its step count and schedule as the file {@value #OPTIMIZER},
 * and in the trainer state the stage, the data position (epoch, step within it) and the dropout stream
 * ({@link RandomState}) as the random stream {@value #DROPOUT_RNG}.
 */
public final class TrainerCheckpoints {
  public static final String WEIGHTS = "model";
  public static final String OPTIMIZER = "optimizer.state";
  public static final String DROPOUT_RNG = "dropout";
  public static final String STAGE = "stage";

  private TrainerCheckpoints() {}

  /**
   * The trainer state of a run at {@code step} optimizer steps of the trainer (GRPO: rollout steps), positioned at step
   * {@code stepInEpoch} of {@code epoch}.
   */
  public static TrainerState state(String stage, long step, int epoch, int stepInEpoch, Optimizer optimizer) {
    return TrainerState.of(Math.toIntExact(step), epoch, stepInEpoch, optimizer.stepCount())
        .withRng(DROPOUT_RNG, RandomState.current().snapshot())
        .withExtra(STAGE, stage);
  }

  /** Saves {@code state} (see {@link #state}, possibly with the metrics tail and config added) atomically. */
  public static Path save(CheckpointManager checkpoints, TrainableModel model, Optimizer optimizer, TrainerState state) {
    return checkpoints.save(state.step(), Map.of(WEIGHTS, model.trainableTensors()), state, dir -> optimizer.save(dir.resolve(OPTIMIZER)));
  }

  /**
   * Copies a checkpoint of {@code stage} into the model and optimizer, checks that the optimizer took
   * {@code updatesPerStep} updates per recorded step, restores the dropout stream and returns the state.
   */
  public static TrainerState restore(LoadedCheckpoint c, String stage, TrainableModel model, Optimizer optimizer, long totalSteps,
      int updatesPerStep) {
    TrainerState s = c.state();
    String found = s.extra().get(STAGE);
    if (!stage.equals(found)) throw new IllegalArgumentException(c.dir() + ": a " + found + " checkpoint, expected " + stage);
    if (s.step() > totalSteps) throw new IllegalArgumentException(c.dir() + ": checkpoint at step " + s.step() + " of a run of " + totalSteps + " steps");
    try (SafeTensorsFile f = c.open(WEIGHTS)) {
      model.loadTrainable(f);
    }
    Path opt = c.dir().resolve(OPTIMIZER);
    try {
      optimizer.load(opt);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + opt, e);
    }
    if (optimizer.stepCount() != (long) s.step() * updatesPerStep)
      throw new IllegalArgumentException(c.dir() + ": the optimizer took " + optimizer.stepCount() + " updates but the trainer state is at step "
          + s.step() + " (" + updatesPerStep + " per step)");
    RandomState.current().restore(s.rng(DROPOUT_RNG));
    return s;
  }
}

package dev.rmr1.training.sft;

import dev.rmr1.autograd.RandomState;
import dev.rmr1.nn.optim.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The files of a trainer checkpoint inside one directory: the trainable weights ({@value #WEIGHTS}, by parameter name),
 * the optimizer state with its step count and schedule ({@value #OPTIMIZER}), and the {@link TrainerState}
 * ({@value TrainerState#FILE}). Writing the directory atomically and choosing which one to resume from is the job of
 * the caller.
 */
public final class CheckpointFiles {
  public static final String WEIGHTS = "trainable.safetensors";
  public static final String OPTIMIZER = "optimizer.state";

  private CheckpointFiles() {}

  /** Writes the three files into {@code dir} (which must exist); the random state is the current dropout stream's. */
  public static void save(Path dir, TrainableModel model, Optimizer optimizer, TrainerState state) {
    model.saveTrainable(dir.resolve(WEIGHTS));
    try {
      optimizer.save(dir.resolve(OPTIMIZER));
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + dir.resolve(OPTIMIZER), e);
    }
    state.write(dir);
  }

  /**
   * Reads the trainer state of {@code stage}, copies the weights and optimizer state in, checks that the optimizer has
   * taken {@code updatesPerStep} updates per recorded step, and restores the dropout stream.
   */
  public static TrainerState load(Path dir, String stage, TrainableModel model, Optimizer optimizer, long totalSteps, int updatesPerStep) {
    TrainerState s = TrainerState.read(dir, stage);
    if (s.step() > totalSteps) throw new IllegalArgumentException(dir + ": checkpoint at step " + s.step() + " of a run of " + totalSteps + " steps");
    model.loadTrainable(dir.resolve(WEIGHTS));
    try {
      optimizer.load(dir.resolve(OPTIMIZER));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + dir.resolve(OPTIMIZER), e);
    }
    if (optimizer.stepCount() != s.step() * updatesPerStep)
      throw new IllegalArgumentException(dir + ": the optimizer took " + optimizer.stepCount() + " updates but the trainer state is at step "
          + s.step() + " (" + updatesPerStep + " per step)");
    RandomState.current().restore(s.randomState());
    return s;
  }
}

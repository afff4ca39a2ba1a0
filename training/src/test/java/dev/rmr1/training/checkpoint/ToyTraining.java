package dev.rmr1.training.checkpoint;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.training.config.ConfigMismatchPolicy;
import dev.rmr1.training.config.EffectiveConfig;
import dev.rmr1.training.config.SftConfig;
import dev.rmr1.training.metrics.MetricsLogger;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A miniature training loop with every kind of state a real trainer checkpoints: weights and an
 * optimizer buffer (tensors), a noise stream (an RNG whose Gaussian spare crosses steps: 15 draws
 * per step), a data sampler that reshuffles each epoch from its own RNG, a data cursor, a decaying
 * learning rate (schedule position) and a metrics log. Used to show that a run killed at any step
 * and resumed from its checkpoints ends bit-identical to a run never interrupted.
 */
final class ToyTraining implements AutoCloseable {
  static final int ROWS = 5, COLS = 3, RECORDS = 7;

  /** Thrown to simulate a kill: the in-memory state is then thrown away. */
  static final class Killed extends RuntimeException {
    Killed(int step) {
      super("killed during step " + step);
    }
  }

  final Path out;
  final int totalSteps;
  final int saveEvery;
  final CheckpointManager ckpt;
  final EffectiveConfig<SftConfig> config;
  final Tensor[] data = new Tensor[RECORDS];
  final Rng noise;
  final Rng sampler;
  long[] samplerAtEpochStart;
  int[] order;
  Tensor w;
  Tensor m;
  long cursor;
  int epoch;
  int step;
  final MetricsLogger log;
  final boolean resumed;

  /** Starts a run in {@code out}, resuming from its newest complete checkpoint if there is one. */
  ToyTraining(Path out, long seed, int totalSteps, int saveEvery, int keepLast) {
    this.out = out;
    this.totalSteps = totalSteps;
    this.saveEvery = saveEvery;
    this.ckpt = new CheckpointManager(out, keepLast, msg -> {});
    this.config = SftConfig.fromArgs("--model", "toy", "--data", "toy", "--seed", Long.toString(seed), "--out", out.toString());
    Rng dataRng = new Rng(seed ^ 0x5DEECE66DL);
    for (int i = 0; i < RECORDS; i++) data[i] = Tensor.uniform(Device.CPU, DType.F32, dataRng, -1, 1, ROWS, COLS);
    noise = new Rng(seed);
    sampler = new Rng(seed + 1);
    Optional<LoadedCheckpoint> last = ckpt.latest();
    resumed = last.isPresent();
    if (last.isEmpty()) {
      w = Tensor.normal(Device.CPU, DType.F32, new Rng(seed + 2), 0, 1, ROWS, COLS);
      m = Tensor.zeros(DType.F32, ROWS, COLS);
      newEpochOrder();
      log = MetricsLogger.create(out.resolve("metrics.jsonl"));
    } else {
      LoadedCheckpoint c = last.get();
      c.verifyConfig(config, ConfigMismatchPolicy.ERROR, msg -> {});
      TrainerState s = c.state();
      w = c.read("model").get("w");
      m = c.read("optimizer").get("m");
      noise.restore(s.rng("noise"));
      sampler.restore(s.rng("sampler_at_epoch_start"));
      newEpochOrder(); // regenerates this epoch's order, leaving the sampler where it was
      cursor = s.dataPosition();
      epoch = s.epoch();
      step = s.step();
      if (s.schedulePosition() != step) throw new IllegalStateException("schedule position " + s.schedulePosition());
      log = MetricsLogger.resume(out.resolve("metrics.jsonl"), step);
    }
  }

  private void newEpochOrder() {
    samplerAtEpochStart = sampler.snapshot();
    order = new int[RECORDS];
    for (int i = 0; i < RECORDS; i++) order[i] = i;
    for (int i = RECORDS - 1; i > 0; i--) { // Fisher-Yates
      int j = sampler.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  /** Runs to the end, or throws {@link Killed} in the middle of step {@code killAt} (after the update, before log and save). */
  void run(int killAt) {
    while (step < totalSteps) oneStep(killAt);
  }

  void oneStep(int killAt) {
    double lr = 0.1 * (1.0 - (double) step / totalSteps);
    double loss;
    try (TensorScope s = TensorScope.open()) {
      Tensor x = data[order[(int) cursor]];
      Tensor g = w.sub(x).add(Tensor.normal(Device.CPU, DType.F32, noise, 0, 0.1, ROWS, COLS));
      Tensor m2 = s.keep(m.mul(0.9).add(g));
      Tensor w2 = s.keep(w.sub(m2.mul(lr)));
      loss = g.square().mean().item();
      m.close();
      w.close();
      m = m2;
      w = w2;
    }
    if (step + 1 == killAt) throw new Killed(killAt);
    if (++cursor == RECORDS) {
      cursor = 0;
      epoch++;
      newEpochOrder();
    }
    step++;
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("train/loss", loss);
    metrics.put("lr", lr);
    log.log(step, metrics);
    if (step % saveEvery == 0 || step == totalSteps) save();
  }

  void save() {
    TrainerState s = TrainerState.of(step, epoch, cursor, step)
        .withRng("noise", noise.snapshot())
        .withRng("sampler_at_epoch_start", samplerAtEpochStart)
        .withMetricsTail(log.tail(3))
        .withConfig(config);
    ckpt.save(step, Map.of("model", Map.of("w", w), "optimizer", Map.of("m", m)), s);
  }

  @Override
  public void close() {
    log.close();
    w.close();
    m.close();
    for (Tensor t : data) t.close();
  }

  /** Child-process entry for the kill test: {@code out seed totalSteps saveEvery keepLast sleepMs}. */
  public static void main(String[] args) throws InterruptedException {
    Path out = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int total = Integer.parseInt(args[2]);
    int saveEvery = Integer.parseInt(args[3]);
    int keepLast = Integer.parseInt(args[4]);
    long sleep = Long.parseLong(args[5]);
    try (ToyTraining t = new ToyTraining(out, seed, total, saveEvery, keepLast)) {
      while (t.step < total) {
        t.oneStep(-1);
        Thread.sleep(sleep);
      }
    }
  }
}

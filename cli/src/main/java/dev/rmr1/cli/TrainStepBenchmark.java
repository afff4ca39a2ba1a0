package dev.rmr1.cli;

import com.sun.management.OperatingSystemMXBean;
import dev.rmr1.autograd.Var;
import dev.rmr1.models.CausalLM;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.nn.NamedParameter;
import dev.rmr1.nn.optim.AdamW;
import dev.rmr1.nn.optim.GradClip;
import dev.rmr1.nn.optim.ParamGroups;
import dev.rmr1.tensor.Backend;
import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * One full-fine-tuning step of a random-weight causal LM on fixed random token ids, as the SFT
 * trainer runs it: the causal-LM loss (blocked LM-head cross-entropy), backward, global-norm
 * clipping at 1.0, an AdamW step (weight decay 0.01 on matrices, none on norms and biases; RM-R1's
 * betas 0.9/0.95) and the gradients cleared (closed). F32 master weights. Each call of
 * {@link #step} reports the wall time of its phases.
 */
final class TrainStepBenchmark implements AutoCloseable {
  private static final OperatingSystemMXBean CPU = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /**
   * Wall-clock nanoseconds of one step's phases (backward includes freeing the step's activations),
   * and the CPU time of the whole process during the step (all threads; on a machine shared with
   * other work it is steadier than the wall time).
   */
  record StepTimes(long forwardNanos, long backwardNanos, long optimizerNanos, long cpuNanos, double loss) {
    long totalNanos() {
      return forwardNanos + backwardNanos + optimizerNanos;
    }
  }

  private final CausalLM model;
  private final List<NamedParameter> params;
  private final AdamW optimizer;
  private final Tensor ids;
  private final Backend backend;

  TrainStepBenchmark(ModelConfig config, int batch, int seq, long seed, boolean checkpointing, Device device) {
    if (batch < 1 || seq < 2) throw new IllegalArgumentException("need batch >= 1 and sequence >= 2 (the loss predicts the next token), got " + batch + " and " + seq);
    if (seq > config.maxPositionEmbeddings())
      throw new IllegalArgumentException("sequence " + seq + " exceeds max_position_embeddings " + config.maxPositionEmbeddings());
    backend = Backends.of(device);
    model = CausalLM.random(config, DType.F32, seed, 0.02, device);
    model.setGradientCheckpointing(checkpointing);
    model.train(true);
    params = model.trainableParameters();
    optimizer = new AdamW(ParamGroups.decayAndNoDecay(params, 1e-5, 0.01), 0.9, 0.95, 1e-8);
    Rng rng = new Rng(seed + 1);
    long[] tokens = new long[batch * seq];
    for (int i = 0; i < tokens.length; i++) tokens[i] = rng.nextInt(config.vocabSize());
    try (Tensor host = Tensor.ofLongs(tokens, batch, seq)) {
      ids = host.to(device);
    }
  }

  /** Trainable parameter count. */
  long parameterCount() {
    long n = 0;
    for (NamedParameter p : params) n += p.value().numel();
    return n;
  }

  StepTimes step() {
    long c0 = CPU.getProcessCpuTime();
    long t0 = System.nanoTime(), t1;
    double loss;
    try (TensorScope scope = TensorScope.open()) {
      Var l = model.loss(ids, ids); // labels = ids: every position after the first is trained on
      loss = l.item();
      t1 = System.nanoTime();
      l.backward();
    }
    backend.synchronize(); // on an accelerator the kernels run asynchronously: each phase ends when they are done
    long t2 = System.nanoTime();
    GradClip.clipGradNorm(params, 1.0);
    optimizer.step();
    model.clearGrads();
    backend.synchronize();
    long t3 = System.nanoTime();
    return new StepTimes(t1 - t0, t2 - t1, t3 - t2, CPU.getProcessCpuTime() - c0, loss);
  }

  @Override
  public void close() {
    ids.close();
    optimizer.close();
    model.close();
  }
}

package dev.rmr1.models;

import dev.rmr1.nn.Module;
import dev.rmr1.nn.Parameter;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;

/**
 * Random parameter values for a model built from a config alone (benchmark checkpoints, tests):
 * matrices, embeddings and biases N(0, std), norm weights 1 + N(0, std), drawn from one seeded
 * stream in module order. Values are generated a block at a time, so a 150k x 896 embedding never
 * needs a double array of its size on the heap.
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
final class RandomInit implements ParameterFill {
  private static final int BLOCK = 1 << 16;

  private final Rng rng;
  private final double std;
  private final boolean trainable;

  RandomInit(Rng rng, double std, boolean trainable) {
    this.rng = rng;
    this.std = std;
    this.trainable = trainable;
  }

  @Override
  public <M extends Module> M fill(String prefix, M module) {
    module.namedParameters().forEach((name, p) -> draw(p, (prefix + name).endsWith("norm.weight") ? 1 : 0));
    return module;
  }

  private void draw(Parameter p, double mean) {
    Tensor v = p.value();
    int n = Math.toIntExact(v.numel());
    try (Tensor flat = v.view(n)) {
      double[] block = new double[Math.min(BLOCK, n)];
      for (int at = 0; at < n; at += block.length) {
        int len = Math.min(block.length, n - at);
        for (int i = 0; i < len; i++) block[i] = mean + std * rng.nextGaussian();
        try (TensorScope s = TensorScope.open()) {
          double[] values = len == block.length ? block : java.util.Arrays.copyOf(block, len);
          flat.narrow(0, at, len).copyFrom(Tensor.of(v.device(), v.dtype(), values, len));
        }
      }
    }
    p.setRequiresGrad(trainable);
  }
}

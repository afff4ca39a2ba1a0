package dev.rmr1.training.sft;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class SftLossTest {
  /** Mean over non-ignored targets of -log softmax(logits[b, t])[targets[b, t]], divided by k; (B, T, V) row-major. */
  static double reference(double[] logits, int[][] targets, int t, int v, int k) {
    double sum = 0;
    int count = 0;
    for (int b = 0; b < targets.length; b++)
      for (int i = 0; i < t - 1; i++) {
        int y = targets[b][i];
        if (y == SftSample.IGNORE) continue;
        int base = (b * t + i) * v;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) max = Math.max(max, logits[base + j]);
        double se = 0;
        for (int j = 0; j < v; j++) se += Math.exp(logits[base + j] - max);
        sum -= logits[base + y] - max - Math.log(se);
        count++;
      }
    return sum / count / k;
  }

  @Property(tries = 40)
  void meanOverTheMicroBatchsLossTokensDividedByAccumulation(@ForAll @IntRange(min = 1, max = 4) int batch,
      @ForAll @IntRange(min = 2, max = 9) int vocab, @ForAll @IntRange(min = 1, max = 5) int k, @ForAll long seed) {
    Rng rng = new Rng(seed);
    List<SftSample> samples = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      int len = 2 + rng.nextInt(7);
      int[] ids = new int[len];
      for (int i = 0; i < len; i++) ids[i] = rng.nextInt(vocab);
      samples.add(new SftSample(ids, rng.nextInt(len - 1), false));
    }
    SftMicroBatch mb = SftMicroBatch.of(new int[batch], samples, vocab - 1);
    int t = mb.length();
    try (TensorScope scope = TensorScope.open()) {
      Tensor logits = Tensor.normal(Device.CPU, DType.F64, rng, 0, 1.5, batch, t, vocab);
      Var z = Var.leaf(logits);
      Var loss = SftLoss.of(z, mb.targetsTensor(Device.CPU), k);
      assertEquals(reference(logits.toDoubleArray(), mb.targets(), t, vocab, k), loss.item(), 1e-12);
      loss.backward();
      // the last position predicts nothing: its logits get no gradient; padded positions neither
      double[] g = z.grad().toDoubleArray();
      for (int b = 0; b < batch; b++)
        for (int i = 0; i < t; i++) {
          boolean trained = i < t - 1 && mb.targets()[b][i] != SftSample.IGNORE;
          double norm = 0;
          for (int j = 0; j < vocab; j++) norm += Math.abs(g[(b * t + i) * vocab + j]);
          assertEquals(trained, norm > 0, "gradient at (" + b + ", " + i + ")");
        }
    }
  }
}

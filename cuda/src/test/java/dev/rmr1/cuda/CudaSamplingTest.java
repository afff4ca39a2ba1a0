package dev.rmr1.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.rmr1.models.generate.DeviceSampling;
import dev.rmr1.models.generate.Sampler;
import dev.rmr1.models.generate.SamplingParams;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Token choice on the GPU ({@link DeviceSampling}: argmax, the inverse-CDF count over the device's
 * cumulative sum, the packed top-k / top-p / min-p candidates) draws what the host's
 * {@link Sampler} draws from the same logits and generator state, at a Qwen-sized vocabulary.
 */
@AddLifecycleHook(RequiresCuda.class)
class CudaSamplingTest {
  private static final Device GPU = RequiresCuda.GPU;

  @Property(tries = 15)
  void drawsWhatTheHostSamplerDraws(@ForAll long seed) {
    Random rnd = new Random(seed);
    int rows = 1 + rnd.nextInt(17), vocab = new int[] {7, 1000, 151_936}[rnd.nextInt(3)];
    float[] logits = new float[rows * vocab];
    List<SamplingParams> params = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      double spread = new double[] {0.1, 3, 30}[rnd.nextInt(3)]; // flat, natural, peaked
      for (int i = 0; i < vocab; i++) logits[r * vocab + i] = (float) (rnd.nextGaussian() * spread);
      params.add(switch (rnd.nextInt(5)) {
        case 0 -> SamplingParams.GREEDY;
        case 1 -> SamplingParams.temperature(0.2 + 2 * rnd.nextDouble());
        default -> new SamplingParams(0.2 + 2 * rnd.nextDouble(), rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(100),
            new double[] {0.5, 0.95, 0.99999, 1}[rnd.nextInt(4)], new double[] {0, 0, 0.05}[rnd.nextInt(3)]);
      });
    }
    Sampler sampler = new Sampler();
    int[] want = new int[rows];
    double[] uniforms = new double[rows];
    for (int r = 0; r < rows; r++) {
      long s = rnd.nextLong();
      want[r] = sampler.sample(logits, r * vocab, vocab, params.get(r), new Rng(s));
      if (!params.get(r).greedy()) uniforms[r] = new Rng(s).nextDouble();
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor onGpu = Tensor.of(logits, rows, vocab).to(GPU);
      assertArrayEquals(want, DeviceSampling.choose(onGpu, params, uniforms), params.toString());
    }
  }
}

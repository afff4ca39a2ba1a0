package dev.rmr1.cuda;

import static dev.rmr1.tensor.TestTensors.assertClose;
import static dev.rmr1.tensor.TestTensors.assertSame;

import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.TestTensors;
import dev.rmr1.tensor.cpu.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * One batched decoding step on the GPU ({@link CudaBackend#appendAndAttend}: every sequence's new key
 * and value appended to its own cache, every query attending to its cache) against the CPU doing the
 * same one sequence at a time: the same caches bit for bit and outputs within the attention
 * kernel's tolerance. Past lengths, capacities and packed positions are random; more sequences than
 * one launch takes ({@link CudaBackend#MAX_SEQS}) exercise the chunking.
 */
@AddLifecycleHook(RequiresCuda.class)
class CudaDecodeTest {
  private static final Device GPU = RequiresCuda.GPU;

  @Property(tries = 30)
  void batchedStepMatchesOneSequenceAtATime(@ForAll("dtypes") DType dt, @ForAll boolean many, @ForAll long seed) {
    Random rnd = new Random(seed);
    int n = many ? CudaBackend.MAX_SEQS + 1 + rnd.nextInt(10) : 1 + rnd.nextInt(8);
    int hkv = 1 + rnd.nextInt(2), group = 1 + rnd.nextInt(3), d = new int[] {1, 8, 64, 128}[rnd.nextInt(4)];
    CudaBackend gpu = (CudaBackend) Backends.of(GPU);
    try (TensorScope s = TensorScope.open()) {
      // (1, N, H, D) projections viewed as (1, H, N, D), as the model makes them
      Tensor q = TestTensors.uniform(rnd, dt, -2, 2, 1, n, hkv * group, d).transpose(1, 2);
      Tensor k = TestTensors.uniform(rnd, dt, -2, 2, 1, n, hkv, d).transpose(1, 2), v = TestTensors.uniform(rnd, dt, -3, 3, 1, n, hkv, d).transpose(1, 2);
      int[] pasts = new int[n], offsets = new int[n];
      List<Tensor> keys = new ArrayList<>(), values = new ArrayList<>();
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < n; i++) order.add(i);
      java.util.Collections.shuffle(order, rnd); // packed positions need not follow the caches' order
      for (int i = 0; i < n; i++) {
        pasts[i] = rnd.nextInt(40);
        offsets[i] = order.get(i);
        int capacity = pasts[i] + 1 + rnd.nextInt(5);
        keys.add(TestTensors.uniform(rnd, dt, -2, 2, 1, hkv, capacity, d));
        values.add(TestTensors.uniform(rnd, dt, -3, 3, 1, hkv, capacity, d));
      }
      double scale = 1 / Math.sqrt(d);

      Tensor want = Tensor.empty(dt, 1, hkv * group, n, d);
      for (int i = 0; i < n; i++) {
        int at = offsets[i], len = pasts[i] + 1;
        keys.get(i).narrow(2, pasts[i], 1).copyFrom(k.narrow(2, at, 1));
        values.get(i).narrow(2, pasts[i], 1).copyFrom(v.narrow(2, at, 1));
        Reference.attention(want.narrow(2, at, 1), q.narrow(2, at, 1), keys.get(i).narrow(2, 0, len), values.get(i).narrow(2, 0, len), scale, true,
            pasts[i]);
      }

      List<Tensor> gKeys = new ArrayList<>(), gValues = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        // the caches before the step: this step's position overwritten with garbage
        Tensor kc = keys.get(i).copy(), vc = values.get(i).copy();
        kc.narrow(2, pasts[i], 1).fill(7);
        vc.narrow(2, pasts[i], 1).fill(7);
        gKeys.add(kc.to(GPU));
        gValues.add(vc.to(GPU));
      }
      Tensor got = Tensor.empty(GPU, dt, 1, hkv * group, n, d);
      gpu.appendAndAttend(got, q.to(GPU), k.to(GPU), v.to(GPU), gKeys, gValues, pasts, offsets, scale);
      for (int i = 0; i < n; i++) {
        assertSame(keys.get(i), gKeys.get(i).to(Device.CPU));
        assertSame(values.get(i), gValues.get(i).to(Device.CPU));
      }
      double grow = Math.max(1, scale * d / 16);
      assertClose(want, got.to(Device.CPU), 2, grow * (dt == DType.BF16 ? 0.02 : 2e-5));
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<DType> dtypes() {
    return net.jqwik.api.Arbitraries.of(DType.F32, DType.BF16);
  }
}

package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Run by {@link SimdTest} in a child JVM started without the Vector API module: prints whether the
 * vector kernels are on and the results of a few operations, which must match the vector run.
 */
public final class ScalarFallbackMain {
  private ScalarFallbackMain() {}

  /** Results of a fixed set of operations (touching each dispatcher). */
  static List<double[]> results() {
    List<double[]> r = new ArrayList<>();
    try (TensorScope s = TensorScope.open()) {
      double[] v = new double[40];
      for (int i = 0; i < v.length; i++) v[i] = Math.sin(i) * 3;
      Tensor x = Tensor.of(Device.CPU, DType.F32, v, 2, 20);
      Tensor q = x.reshape(1, 2, 5, 4), k = x.narrow(0, 0, 1).reshape(1, 1, 5, 4);
      Tensor[] outs = {x.add(x.select(0, 1)), x.silu(), x.softmax(-1), x.sum(-1, false), x.argmax(-1, false).to(DType.F32),
          x.rmsNorm(Tensor.ones(DType.F32, 20), 1e-6), Tensor.attention(q, k, k, 0.5, true, 0), x.to(DType.BF16).to(DType.F32)};
      for (Tensor t : outs) r.add(t.toDoubleArray());
    }
    return r;
  }

  public static void main(String[] args) {
    System.out.println("enabled=" + Simd.ENABLED);
    for (double[] d : results()) System.out.println(Arrays.stream(d).mapToObj(Double::toString).collect(Collectors.joining(" ")));
  }
}

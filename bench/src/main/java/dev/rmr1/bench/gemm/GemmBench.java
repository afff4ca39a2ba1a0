package dev.rmr1.bench.gemm;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.CpuBackend;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square GEMM on the CPU backend: F32 activations with F32 weights (b dense, numpy's layout) or BF16
 * weights used as W^T (nn.Linear's layout). GFLOP/s = 2 * size^3 / time. The values do not change
 * the time, so the operands are constant-filled.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBench {
  @Param({"512", "2048"})
  int size;

  @Param({"f32", "bf16"})
  String weights;

  Tensor a, w, b, out;

  @Setup(Level.Trial)
  public void setUp() {
    a = Tensor.full(Device.CPU, DType.F32, 0.5, size, size);
    if (weights.equals("bf16")) {
      w = Tensor.full(Device.CPU, DType.BF16, 0.25, size, size); // W (N, K)
      b = w.transpose(0, 1);
    } else {
      w = Tensor.full(Device.CPU, DType.F32, 0.25, size, size);
      b = w;
    }
    out = Tensor.empty(DType.F32, size, size);
  }

  @Benchmark
  public Tensor matmul() {
    CpuBackend.instance().matmul(out, a, b);
    return out;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    out.close();
    if (b != w) b.close();
    w.close();
    a.close();
  }
}

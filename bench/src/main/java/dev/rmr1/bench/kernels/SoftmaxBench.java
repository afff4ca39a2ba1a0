package dev.rmr1.bench.kernels;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.CpuBackend;
import dev.rmr1.tensor.cpu.Parallel;
import dev.rmr1.tensor.cpu.Reference;
import dev.rmr1.tensor.cpu.Simd;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Softmax over the last dim at Qwen2.5-0.5B shapes: the attention probabilities of one layer
 * without a fused kernel (14 heads x 512 queries, rows of 512 keys) and next-token distributions
 * over the 151936-token vocabulary (8 rows). The vector kernel against the scalar reference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SoftmaxBench {
  @Param({"7168x512", "8x151936"})
  public String shape;

  @Param({"vector", "reference"})
  public String impl;

  private Tensor x, out;

  @Setup(Level.Trial)
  public void setup() {
    System.out.println("CPU kernels: " + Simd.describe() + ", " + Parallel.threads() + " thread(s)");
    String[] rc = shape.split("x");
    int rows = Integer.parseInt(rc[0]), cols = Integer.parseInt(rc[1]);
    x = Tensor.normal(Device.CPU, DType.F32, new Rng(1), 0, 3, rows, cols);
    out = Tensor.empty(DType.F32, rows, cols);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    x.close();
    out.close();
  }

  @Benchmark
  public Tensor softmax() {
    if (impl.equals("vector")) CpuBackend.instance().softmax(out, x, false);
    else Reference.softmax(out, x, false);
    return out;
  }
}

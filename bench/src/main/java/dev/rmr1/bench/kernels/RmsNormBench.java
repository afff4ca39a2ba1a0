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

/** RMSNorm of a 512-token sequence at Qwen2.5-0.5B's hidden size 896: vector kernel against the scalar reference. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RmsNormBench {
  @Param({"512"})
  public int tokens;

  @Param({"896"})
  public int hidden;

  @Param({"vector", "reference"})
  public String impl;

  private Tensor x, w, out;

  @Setup(Level.Trial)
  public void setup() {
    System.out.println("CPU kernels: " + Simd.describe() + ", " + Parallel.threads() + " thread(s)");
    Rng rng = new Rng(2);
    x = Tensor.normal(Device.CPU, DType.F32, rng, 0, 1, tokens, hidden);
    w = Tensor.normal(Device.CPU, DType.F32, rng, 1, 0.1, hidden);
    out = Tensor.empty(DType.F32, tokens, hidden);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    x.close();
    w.close();
    out.close();
  }

  @Benchmark
  public Tensor rmsNorm() {
    if (impl.equals("vector")) CpuBackend.instance().rmsNorm(out, x, w, 1e-6);
    else Reference.rmsNorm(out, x, w, 1e-6);
    return out;
  }
}

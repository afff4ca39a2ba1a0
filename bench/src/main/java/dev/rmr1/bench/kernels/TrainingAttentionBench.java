package dev.rmr1.bench.kernels;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.Parallel;
import dev.rmr1.tensor.cpu.Simd;
import dev.rmr1.tensor.cpu.TrainingAttention;
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
 * The training attention kernels of one causal layer over 512 tokens (head dim 64, 2 KV heads, 8
 * query heads as the BENCHMARKS.md training-step model, or 14 as Qwen2.5-0.5B): the forward with
 * log-sum-exp, and the backward to dq, dk and dv. q, k and v are the head views
 * (permute(0, 2, 1, 3)) of (B, T, H, D) projections, as the model makes them. F32.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainingAttentionBench {
  @Param({"8", "14"})
  public int heads;

  @Param({"512"})
  public int context;

  private static final int HKV = 2, D = 64;
  private static final double SCALE = 1 / Math.sqrt(D);
  private Tensor qProj, kProj, vProj, q, k, v, out, lse, dOut, dq, dk, dv;

  @Setup(Level.Trial)
  public void setup() {
    System.out.println("CPU kernels: " + Simd.describe() + ", " + Parallel.threads() + " thread(s)");
    Rng rng = new Rng(5);
    qProj = Tensor.normal(Device.CPU, DType.F32, rng, 0, 1, 1, context, heads, D);
    kProj = Tensor.normal(Device.CPU, DType.F32, rng, 0, 1, 1, context, HKV, D);
    vProj = Tensor.normal(Device.CPU, DType.F32, rng, 0, 1, 1, context, HKV, D);
    q = qProj.permute(0, 2, 1, 3);
    k = kProj.permute(0, 2, 1, 3);
    v = vProj.permute(0, 2, 1, 3);
    out = Tensor.empty(DType.F32, 1, heads, context, D);
    lse = Tensor.empty(DType.F32, 1, heads, context);
    dOut = Tensor.normal(Device.CPU, DType.F32, rng, 0, 1, 1, heads, context, D);
    dq = Tensor.empty(DType.F32, q.shape());
    dk = Tensor.empty(DType.F32, k.shape());
    dv = Tensor.empty(DType.F32, v.shape());
    TrainingAttention.forward(out, lse, q, k, v, SCALE, true, 0);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (Tensor t : new Tensor[] {q, k, v, qProj, kProj, vProj, out, lse, dOut, dq, dk, dv}) t.close();
  }

  @Benchmark
  public Tensor forward() {
    TrainingAttention.forward(out, lse, q, k, v, SCALE, true, 0);
    return out;
  }

  @Benchmark
  public Tensor backward() {
    TrainingAttention.backward(dq, dk, dv, dOut, q, k, v, out, lse, SCALE, true, 0);
    return dq;
  }
}

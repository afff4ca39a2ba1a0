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
 * Causal attention of one Qwen2.5-0.5B layer (14 query heads, 2 KV heads, head dim 64) over a
 * 512-token context: prefill (all 512 queries) and one decode step (1 query against a 512-entry KV
 * cache). q, k and v are the head-split views (permute(0, 2, 1, 3)) of (B, T, H, D) projections, as
 * the model makes them. Online-softmax vector kernel against the scalar reference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AttentionBench {
  @Param({"prefill", "decode"})
  public String phase;

  @Param({"vector", "reference"})
  public String impl;

  @Param({"512"})
  public int context;

  private static final int HQ = 14, HKV = 2, D = 64;
  private Tensor qProj, kProj, vProj, q, k, v, out;
  private int qOffset;

  @Setup(Level.Trial)
  public void setup() {
    System.out.println("CPU kernels: " + Simd.describe() + ", " + Parallel.threads() + " thread(s)");
    Rng rng = new Rng(3);
    int tq = phase.equals("prefill") ? context : 1;
    qProj = Tensor.normal(Device.CPU, DType.F32, rng, 0, 1, 1, tq, HQ, D);
    kProj = Tensor.normal(Device.CPU, DType.F32, rng, 0, 1, 1, context, HKV, D);
    vProj = Tensor.normal(Device.CPU, DType.F32, rng, 0, 1, 1, context, HKV, D);
    q = qProj.permute(0, 2, 1, 3);
    k = kProj.permute(0, 2, 1, 3);
    v = vProj.permute(0, 2, 1, 3);
    out = Tensor.empty(DType.F32, 1, HQ, tq, D);
    qOffset = context - tq;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (Tensor t : new Tensor[] {q, k, v, qProj, kProj, vProj, out}) t.close();
  }

  @Benchmark
  public Tensor attention() {
    double scale = 1 / Math.sqrt(D);
    if (impl.equals("vector")) CpuBackend.instance().attention(out, q, k, v, scale, true, qOffset);
    else Reference.attention(out, q, k, v, scale, true, qOffset);
    return out;
  }
}

package dev.rmr1.bench.gemm;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.CpuBackend;
import dev.rmr1.tensor.cpu.MemoryBandwidth;
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
 * Decode GEMV: y (1, N) = x (1, 896) @ W^T with BF16 W (N, 896), Qwen2.5-0.5B's MLP (4864) and
 * vocabulary (151936) shapes, next to a streaming read of 1 GiB ({@link MemoryBandwidth}) for the
 * bandwidth it should approach. GB/s = N * 896 * 2 bytes / time (1 GiB / time for the read). The
 * 4864 x 896 weight (8.7 MB) fits a 32 MB L3, so it reports cache bandwidth; scripts/bench-gemm.sh
 * rotates copies to measure it from memory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemvBench {
  static final int K = 896;

  @Param({"4864", "151936"})
  int n;

  Tensor x, w, wt, out;
  MemoryBandwidth stream;

  @Setup(Level.Trial)
  public void setUp() {
    x = Tensor.full(Device.CPU, DType.F32, 0.5, 1, K);
    w = Tensor.full(Device.CPU, DType.BF16, 0.25, n, K);
    wt = w.transpose(0, 1);
    out = Tensor.empty(DType.F32, 1, n);
    stream = new MemoryBandwidth(1L << 30);
  }

  @Benchmark
  public Tensor gemvBf16() {
    CpuBackend.instance().matmul(out, x, wt);
    return out;
  }

  @Benchmark
  public double streamRead1GiB() {
    return stream.readOnce();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    stream.close();
    out.close();
    wt.close();
    w.close();
    x.close();
  }
}

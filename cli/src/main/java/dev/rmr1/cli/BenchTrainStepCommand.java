package dev.rmr1.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.models.config.Architecture;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.tensor.KernelTimers;
import dev.rmr1.tensor.MatmulPrecision;
import dev.rmr1.tensor.KernelTimers.Kernel;
import dev.rmr1.tensor.cpu.NativeMemory;
import dev.rmr1.tensor.cpu.Parallel;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./rmr1 bench train-step}: tokens/s, peak native memory and the time split by kernel of full
 * training steps (forward, backward, clipping, AdamW) of a random Qwen2 of a given shape; see
 * {@link TrainStepBenchmark}. Kernel times come from {@link KernelTimers}, switched on for one extra
 * step after the timed ones. BENCHMARKS.md records runs.
 */
@Command(
    name = "train-step", header = "One full-fine-tuning training step: tokens/s, memory and time per kernel.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Full training step (forward + backward + grad clip + AdamW, F32) of a random-weight Qwen2 on --device:",
      "median tokens/s over --steps after --warmup, peak native memory, and the fraction of the step in each",
      "backend primitive (matmul = GEMM)."
    })
public final class BenchTrainStepCommand implements Callable<Integer> {
  /** Call sites listed in the report. */
  private static final int TOP_SITES = 25;

  @Option(names = "--hidden", defaultValue = "512", description = "hidden_size (default: ${DEFAULT-VALUE}).") int hidden;
  @Option(names = "--layers", defaultValue = "8", description = "num_hidden_layers (default: ${DEFAULT-VALUE}).") int layers;
  @Option(names = "--heads", defaultValue = "8", description = "num_attention_heads (default: ${DEFAULT-VALUE}).") int heads;
  @Option(names = "--kv-heads", defaultValue = "2", description = "num_key_value_heads (default: ${DEFAULT-VALUE}).") int kvHeads;
  @Option(names = "--intermediate", defaultValue = "1376", description = "intermediate_size (default: ${DEFAULT-VALUE}).") int intermediate;
  @Option(names = "--vocab", defaultValue = "32000", description = "vocab_size (default: ${DEFAULT-VALUE}).") int vocab;
  @Option(names = "--untied", description = "Separate lm_head.weight (default: tied to the embedding, as the small Qwen2.5 models).") boolean untied;
  @Option(names = "--seq", defaultValue = "512", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).") int seq;
  @Option(names = "--batch", defaultValue = "1", description = "Sequences per step (default: ${DEFAULT-VALUE}).") int batch;
  @Option(names = "--steps", defaultValue = "5", description = "Timed steps; medians are reported (default: ${DEFAULT-VALUE}).") int steps;
  @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first (JIT, allocator) (default: ${DEFAULT-VALUE}).") int warmup;
  @Option(names = "--checkpointing", description = "Gradient checkpointing (recompute each layer in backward).") boolean checkpointing;
  @Option(names = "--threads", description = "CPU threads (default: the backend's, -Drmr1.threads or all cores).") Integer threads;
  @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights and token ids (default: ${DEFAULT-VALUE}).") long seed;
  @Option(names = "--float32-matmul-precision", paramLabel = "highest|high|medium",
      description = {"GPU products of F32 matrices, as torch.set_float32_matmul_precision: highest = F32, high = TF32 tensor cores,",
          "medium = BF16 operands with F32 accumulation (autocast-style). Default: -Drmr1.float32MatmulPrecision, else highest."})
  String matmulPrecision;
  @Option(names = "--json", description = "Print one JSON line instead of text.") boolean json;

  @Mixin DeviceOption device;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (hidden < 1 || layers < 1 || heads < 1 || kvHeads < 1 || intermediate < 1 || vocab < 1 || batch < 1 || seq < 2 || steps < 1 || warmup < 0)
      throw new ParameterException(spec.commandLine(), "sizes, --batch and --steps must be >= 1, --seq >= 2, --warmup >= 0");
    if (hidden % heads != 0 || heads % kvHeads != 0)
      throw new ParameterException(spec.commandLine(), "--hidden (" + hidden + ") must be a multiple of --heads (" + heads + "), and --heads of --kv-heads (" + kvHeads + ")");
    if (threads != null) {
      if (threads < 1) throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
      Parallel.setThreads(threads);
    }
    if (matmulPrecision != null) {
      try {
        MatmulPrecision.parse(matmulPrecision).set();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--" + e.getMessage().replace("float32 matmul precision", "float32-matmul-precision"));
      }
    }
    ModelConfig config = ModelConfig.builder(Architecture.QWEN2).hiddenSize(hidden).numHiddenLayers(layers).numAttentionHeads(heads)
        .numKeyValueHeads(kvHeads).intermediateSize(intermediate).vocabSize(vocab).tieWordEmbeddings(!untied)
        .maxPositionEmbeddings(Math.max(seq, 32)).ropeTheta(1_000_000).build();
    PrintWriter out = spec.commandLine().getOut();

    long[] fwd = new long[steps], bwd = new long[steps], opt = new long[steps], total = new long[steps], cpu = new long[steps];
    long baseline, peak, heapLive, gcMillis;
    long params;
    long profiledNanos;
    Map<Kernel, KernelTimers.Total> kernels;
    List<KernelTimers.Site> sites;
    double lastLoss;
    boolean timersWere = KernelTimers.enabled();
    try (TrainStepBenchmark bench = new TrainStepBenchmark(config, batch, seq, seed, checkpointing, device.device())) {
      params = bench.parameterCount();
      for (int i = 0; i < warmup; i++) bench.step();
      baseline = NativeMemory.liveBytes();
      NativeMemory.resetPeak();
      long gc0 = gcMillis();
      TrainStepBenchmark.StepTimes t = null;
      for (int i = 0; i < steps; i++) {
        t = bench.step();
        fwd[i] = t.forwardNanos();
        bwd[i] = t.backwardNanos();
        opt[i] = t.optimizerNanos();
        total[i] = t.totalNanos();
        cpu[i] = t.cpuNanos();
      }
      lastLoss = t.loss();
      peak = NativeMemory.peakBytes();
      gcMillis = gcMillis() - gc0;
      // The split by primitive comes from one more step with the timers on, outside the medians:
      // on a GPU each timed primitive waits for the device, which slows that step down.
      KernelTimers.reset();
      KernelTimers.setEnabled(true);
      try {
        profiledNanos = bench.step().totalNanos();
      } finally {
        KernelTimers.setEnabled(timersWere);
      }
      kernels = KernelTimers.snapshot();
      sites = KernelTimers.sites();
      System.gc();
      heapLive = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
    double medianSeconds = median(total) / 1e9;
    double tokensPerSecond = batch * (double) seq / medianSeconds;

    if (json) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("device", device.device().toString());
      line.put("hidden", hidden);
      line.put("layers", layers);
      line.put("heads", heads);
      line.put("kv_heads", kvHeads);
      line.put("intermediate", intermediate);
      line.put("vocab", vocab);
      line.put("tied", !untied);
      line.put("seq", seq);
      line.put("batch", batch);
      line.put("checkpointing", checkpointing);
      line.put("threads", Parallel.threads());
      line.put("float32_matmul_precision", MatmulPrecision.current().toString());
      line.put("params", params);
      line.put("steps", steps);
      line.put("tokens_per_s", tokensPerSecond);
      line.put("step_ms", medianSeconds * 1e3);
      line.put("cpu_ms", median(cpu) / 1e6);
      line.put("forward_ms", median(fwd) / 1e6);
      line.put("backward_ms", median(bwd) / 1e6);
      line.put("optimizer_ms", median(opt) / 1e6);
      line.put("peak_native_mb", peak / 1e6);
      line.put("baseline_native_mb", baseline / 1e6);
      line.put("heap_live_mb", heapLive / 1e6);
      line.put("gc_ms", gcMillis);
      line.put("loss", lastLoss);
      Map<String, Object> fractions = new LinkedHashMap<>(), millis = new LinkedHashMap<>(), calls = new LinkedHashMap<>();
      kernels.forEach((k, v) -> {
        if (v.calls() > 0) {
          fractions.put(k.name().toLowerCase(), v.nanos() / (double) profiledNanos);
          millis.put(k.name().toLowerCase(), v.nanos() / 1e6);
          calls.put(k.name().toLowerCase(), v.calls());
        }
      });
      List<Map<String, Object>> top = new ArrayList<>();
      for (KernelTimers.Site site : sites.subList(0, Math.min(TOP_SITES, sites.size())))
        top.add(Map.of("site", site.site(), "calls", site.calls(), "ms", site.nanos() / 1e6));
      line.put("profiled_step_ms", profiledNanos / 1e6);
      line.put("kernel_fraction", fractions);
      line.put("kernel_ms", millis);
      line.put("kernel_calls", calls);
      line.put("top_sites", top);
      out.println(new ObjectMapper().writeValueAsString(line));
    } else {
      out.printf("Qwen2 hidden %d, %d layers, %d heads (%d kv), intermediate %d, vocab %d (%s), %.1f M parameters; batch %d x seq %d; %d threads%s%n",
          hidden, layers, heads, kvHeads, intermediate, vocab, untied ? "untied" : "tied", params / 1e6, batch, seq, Parallel.threads(),
          checkpointing ? "; gradient checkpointing" : "");
      for (int i = 0; i < steps; i++)
        out.printf("  step %d: %.0f ms (forward %.0f, backward %.0f, clip+AdamW %.0f); process CPU %.0f ms%n", i, total[i] / 1e6, fwd[i] / 1e6,
            bwd[i] / 1e6, opt[i] / 1e6, cpu[i] / 1e6);
      out.printf("median step %.0f ms: %.1f tokens/s (forward %.0f ms, backward %.0f ms, clip+AdamW %.0f ms); process CPU %.0f ms; loss %.4f%n",
          medianSeconds * 1e3, tokensPerSecond, median(fwd) / 1e6, median(bwd) / 1e6, median(opt) / 1e6, median(cpu) / 1e6, lastLoss);
      out.printf("native memory: peak %.1f MB (%.1f MB between steps: weights, AdamW state); heap live %.1f MB; GC %d ms over %d steps%n",
          peak / 1e6, baseline / 1e6, heapLive / 1e6, gcMillis, steps);
      out.printf("time in backend primitives (one more step with timers on: %.0f ms; on a GPU each primitive then waits for the device):%n",
          profiledNanos / 1e6);
      List<Map.Entry<Kernel, KernelTimers.Total>> sorted = new ArrayList<>(kernels.entrySet());
      sorted.sort((a, b) -> Long.compare(b.getValue().nanos(), a.getValue().nanos()));
      long inKernels = 0;
      for (Map.Entry<Kernel, KernelTimers.Total> e : sorted) {
        KernelTimers.Total v = e.getValue();
        inKernels += v.nanos();
        if (v.calls() > 0)
          out.printf("  %-18s %6.1f%%  %8d calls  %9.1f ms%n", e.getKey().name().toLowerCase(), 100.0 * v.nanos() / profiledNanos, v.calls(),
              v.nanos() / 1e6);
      }
      out.printf("  %-18s %6.1f%%  (the fused AdamW and clipping loops, autograd and Java overhead)%n", "outside", 100.0 * (profiledNanos - inKernels) / profiledNanos);
      out.println("call sites with the most time (primitive <- first caller outside the tensor library):");
      for (KernelTimers.Site site : sites.subList(0, Math.min(TOP_SITES, sites.size())))
        out.printf("  %6.1f%%  %8d calls  %9.1f ms  %s%n", 100.0 * site.nanos() / profiledNanos, site.calls(), site.nanos() / 1e6, site.site());
    }
    out.flush();
    return 0;
  }

  private static long gcMillis() {
    ToLongFunction<GarbageCollectorMXBean> time = GarbageCollectorMXBean::getCollectionTime;
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(time).filter(t -> t > 0).sum();
  }

  private static double median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
  }
}

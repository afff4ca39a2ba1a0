package dev.rmr1.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.models.CausalLM;
import dev.rmr1.models.generate.DecodeBenchmark;
import dev.rmr1.models.generate.GenerationStats;
import dev.rmr1.models.generate.SamplingParams;
import dev.rmr1.tensor.cpu.Parallel;
import java.io.PrintWriter;
import dev.rmr1.tensor.KernelTimers;
import dev.rmr1.tensor.KernelTimers.Kernel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./rmr1 bench decode}: prefill and decode tokens/s of a model (see {@link DecodeBenchmark}). */
@Command(name = "decode", header = "Prefill and decode throughput (tokens/s) with the KV cache.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Prefill and decode throughput (tokens/s) with the KV cache, greedy or sampled, eos disabled.",
        "Decode counts the generated tokens of all sequences per second of decode steps."})
public final class BenchDecodeCommand implements Callable<Integer> {
  @Mixin ModelOptions modelOptions;

  @Option(names = "--prompt-tokens", defaultValue = "128", paramLabel = "P", description = "Prompt length (default: ${DEFAULT-VALUE}).")
  int promptTokens;

  @Option(names = "--new-tokens", defaultValue = "32", paramLabel = "N", description = "Tokens generated per sequence (default: ${DEFAULT-VALUE}).")
  int newTokens;

  @Option(names = "--batch", defaultValue = "1", paramLabel = "B", description = "Sequences decoded together (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--warmup", defaultValue = "1", paramLabel = "W", description = "Unmeasured runs first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--repeats", defaultValue = "3", paramLabel = "R", description = "Measured runs; medians are reported (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of the random prompts (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--temperature", defaultValue = "0", paramLabel = "T",
      description = "0: greedy (default); otherwise sample at this temperature (RM-R1's GRPO rollouts: 1).")
  double temperature;

  @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Keep the K most likely tokens (0: off, the default).")
  int topK;

  @Option(names = "--top-p", defaultValue = "1", paramLabel = "P",
      description = "Keep the smallest set of most likely tokens holding probability P (1: off, the default; DeepSeek-R1-Distill: 0.95).")
  double topP;

  @Option(names = "--min-p", defaultValue = "0", paramLabel = "P", description = "Drop tokens below P times the most likely one's probability (0: off).")
  double minP;

  @Option(names = "--profile", description = {"Then one more run with the backend's primitives timed (KernelTimers) during its decode steps:",
      "time per step in each primitive, the call sites with the most time, and what is left (the host's share on a GPU)."})
  boolean profile;

  @Option(names = "--json", description = "Print one JSON line.")
  boolean json;

  /** Call sites listed by --profile. */
  private static final int TOP_SITES = 15;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
    DecodeBenchmark.Settings settings;
    DecodeBenchmark.Result r;
    DecodeBenchmark.Profile p = null;
    long weightBytes;
    Path dir;
    try {
      settings = new DecodeBenchmark.Settings(promptTokens, newTokens, batch, warmup, repeats, seed,
          new SamplingParams(temperature, topK, topP, minP));
      dir = modelOptions.resolve();
      try (CausalLM model = modelOptions.load(dir)) {
        weightBytes = DecodeBenchmark.weightBytesPerToken(model);
        r = DecodeBenchmark.run(model, settings);
        if (profile) p = DecodeBenchmark.profile(model, settings);
      }
    } catch (RuntimeException e) {
      err.println("rmr1 bench decode: error: " + e.getMessage());
      err.flush();
      return 1;
    }
    if (json) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("model", dir.toString());
      line.put("threads", Parallel.threads());
      line.put("device", modelOptions.device.device().toString());
      line.put("batch", batch);
      line.put("prompt_tokens", promptTokens);
      line.put("new_tokens", newTokens);
      line.put("sampling", describe(settings.sampling()));
      line.put("repeats", repeats);
      line.put("prefill_tokens_per_s", r.prefillTokensPerSecond());
      line.put("decode_tokens_per_s", r.decodeTokensPerSecond());
      line.put("weight_bytes_per_token", weightBytes);
      if (p != null) {
        double steps = p.stats().decodeSteps();
        Map<String, Object> millis = new LinkedHashMap<>(), calls = new LinkedHashMap<>();
        p.kernels().forEach((k, v) -> {
          if (v.calls() > 0) {
            millis.put(k.name().toLowerCase(), v.nanos() / 1e6 / steps);
            calls.put(k.name().toLowerCase(), v.calls() / steps);
          }
        });
        List<Map<String, Object>> top = new ArrayList<>();
        for (KernelTimers.Site site : p.sites().subList(0, Math.min(TOP_SITES, p.sites().size())))
          top.add(Map.of("site", site.site(), "calls_per_step", site.calls() / steps, "ms_per_step", site.nanos() / 1e6 / steps));
        line.put("profiled_step_ms", p.stats().decodeNanos() / 1e6 / steps);
        line.put("kernel_ms_per_step", millis);
        line.put("kernel_calls_per_step", calls);
        line.put("top_sites", top);
      }
      out.println(new ObjectMapper().writeValueAsString(line));
    } else {
      out.printf("model %s, %d threads, batch %d, prompt %d tokens, %d new tokens, %s, median of %d%n", dir, Parallel.threads(), batch,
          promptTokens, newTokens, describe(settings.sampling()), repeats);
      for (GenerationStats s : r.runs())
        out.printf("  run: prefill %.1f tok/s (%.2f s), decode %.2f tok/s (%d steps, %.2f s)%n", s.prefillTokensPerSecond(), s.prefillNanos() / 1e9,
            s.decodeTokensPerSecond(), s.decodeSteps(), s.decodeNanos() / 1e9);
      out.printf("prefill %.1f tok/s, decode %.2f tok/s; weights read per decode step %.1f MB%n", r.prefillTokensPerSecond(),
          r.decodeTokensPerSecond(), weightBytes / 1e6);
      if (p != null) printProfile(out, p);
    }
    out.flush();
    return 0;
  }

  static String describe(SamplingParams p) {
    if (p.greedy()) return "greedy";
    return "temperature " + p.temperature() + (p.topK() > 0 ? ", top-k " + p.topK() : "") + (p.topP() < 1 ? ", top-p " + p.topP() : "")
        + (p.minP() > 0 ? ", min-p " + p.minP() : "");
  }

  private static void printProfile(PrintWriter out, DecodeBenchmark.Profile p) {
    double steps = p.stats().decodeSteps(), stepMillis = p.stats().decodeNanos() / 1e6 / steps;
    out.printf("profiled run: %.0f decode steps of %.2f ms (on a GPU each timed primitive waits for the device); per step:%n", steps, stepMillis);
    List<Map.Entry<Kernel, KernelTimers.Total>> sorted = new ArrayList<>(p.kernels().entrySet());
    sorted.sort((a, b) -> Long.compare(b.getValue().nanos(), a.getValue().nanos()));
    double inKernels = 0;
    for (Map.Entry<Kernel, KernelTimers.Total> e : sorted) {
      KernelTimers.Total v = e.getValue();
      inKernels += v.nanos() / 1e6 / steps;
      if (v.calls() > 0) out.printf("  %-18s %8.3f ms  %7.1f calls%n", e.getKey().name().toLowerCase(), v.nanos() / 1e6 / steps, v.calls() / steps);
    }
    out.printf("  %-18s %8.3f ms  (the host: model code, sampling, bookkeeping)%n", "outside", stepMillis - inKernels);
    out.println("call sites with the most time per step (primitive <- first caller outside the tensor library):");
    for (KernelTimers.Site site : p.sites().subList(0, Math.min(TOP_SITES, p.sites().size())))
      out.printf("  %8.3f ms  %7.1f calls  %s%n", site.nanos() / 1e6 / steps, site.calls() / steps, site.site());
  }
}

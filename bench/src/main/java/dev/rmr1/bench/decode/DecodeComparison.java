package dev.rmr1.bench.decode;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.models.CausalLM;
import dev.rmr1.models.generate.DecodeBenchmark;
import dev.rmr1.tensor.cpu.Parallel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decode and prefill throughput of this project and of Jlama on one checkpoint at one thread count,
 * in the same JVM, plus the memory-bandwidth bound of batch-1 decoding (weight bytes per token over
 * measured read bandwidth). Prints one JSON line. See BENCHMARKS.md, section "Decode".
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp bench/target/rmr1-bench.jar \
 *   dev.rmr1.bench.decode.DecodeComparison --model DIR --threads 2 [--prompt-tokens 64] [--new-tokens 16]
 *   [--batch 8] [--repeats 3] [--warmup 1] [--skip-jlama]
 * </pre>
 */
public final class DecodeComparison {
  private DecodeComparison() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    Path dir = Path.of(required(a, "--model"));
    int threads = Integer.parseInt(a.getOrDefault("--threads", "1"));
    int promptTokens = Integer.parseInt(a.getOrDefault("--prompt-tokens", "64"));
    int newTokens = Integer.parseInt(a.getOrDefault("--new-tokens", "16"));
    int batch = Integer.parseInt(a.getOrDefault("--batch", "8"));
    int repeats = Integer.parseInt(a.getOrDefault("--repeats", "3"));
    int warmups = Integer.parseInt(a.getOrDefault("--warmup", "1"));
    boolean jlama = !a.containsKey("--skip-jlama");
    Parallel.setThreads(threads);
    if (jlama) JlamaDecode.setThreads(threads);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", dir.toString());
    out.put("threads", threads);
    out.put("prompt_tokens", promptTokens);
    out.put("new_tokens", newTokens);
    double bandwidth = MemoryBandwidth.measure(threads, 1L << 30, 5);
    out.put("read_bandwidth_gb_per_s", bandwidth / 1e9);

    Runtime rt = Runtime.getRuntime();
    System.gc();
    long heapBefore = rt.totalMemory() - rt.freeMemory(), t0 = System.nanoTime();
    try (CausalLM model = CausalLM.load(dir)) {
      out.put("rmr1_load_seconds", (System.nanoTime() - t0) / 1e9);
      System.gc();
      // the weights are mapped, not copied: the heap should not grow by their size
      out.put("rmr1_heap_growth_mb_after_load", (rt.totalMemory() - rt.freeMemory() - heapBefore) / 1e6);
      long weightBytes = DecodeBenchmark.weightBytesPerToken(model);
      out.put("weight_bytes_per_token", weightBytes);
      out.put("decode_bound_tokens_per_s", bandwidth / weightBytes);
      DecodeBenchmark.Result one = DecodeBenchmark.run(model, new DecodeBenchmark.Settings(promptTokens, newTokens, 1, warmups, repeats, 0));
      out.put("rmr1_prefill_tokens_per_s", one.prefillTokensPerSecond());
      out.put("rmr1_decode_tokens_per_s", one.decodeTokensPerSecond());
      out.put("rmr1_decode_fraction_of_bound", one.decodeTokensPerSecond() / (bandwidth / weightBytes));
      if (batch > 1) {
        DecodeBenchmark.Result many = DecodeBenchmark.run(model, new DecodeBenchmark.Settings(promptTokens, newTokens, batch, warmups, repeats, 0));
        out.put("batch", batch);
        out.put("rmr1_batched_prefill_tokens_per_s", many.prefillTokensPerSecond());
        out.put("rmr1_batched_decode_tokens_per_s", many.decodeTokensPerSecond());
      }
    }
    if (jlama) {
      try (JlamaDecode j = new JlamaDecode(dir)) {
        String prompt = j.promptOf(promptTokens - 1);
        for (int w = 0; w < warmups; w++) j.run(prompt, Math.min(newTokens, 4));
        List<JlamaDecode.Run> runs = new ArrayList<>();
        for (int r = 0; r < repeats; r++) runs.add(j.run(prompt, newTokens));
        out.put("jlama_prompt_tokens", runs.get(0).promptTokens());
        out.put("jlama_generated_tokens", runs.get(0).generated());
        out.put("jlama_prefill_tokens_per_s", median(runs.stream().mapToDouble(JlamaDecode.Run::prefillTokensPerSecond).toArray()));
        out.put("jlama_decode_tokens_per_s", median(runs.stream().mapToDouble(JlamaDecode.Run::decodeTokensPerSecond).toArray()));
      }
    }
    System.out.println(new ObjectMapper().writeValueAsString(out));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument " + args[i]);
      if (args[i].equals("--skip-jlama")) m.put(args[i], "");
      else if (i + 1 < args.length) m.put(args[i], args[++i]);
      else throw new IllegalArgumentException(args[i] + " needs a value");
    }
    return m;
  }

  private static String required(Map<String, String> a, String key) {
    String v = a.get(key);
    if (v == null) throw new IllegalArgumentException(key + " is required");
    return v;
  }
}

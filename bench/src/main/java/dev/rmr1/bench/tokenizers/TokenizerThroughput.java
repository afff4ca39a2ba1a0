package dev.rmr1.bench.tokenizers;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.rmr1.tokenizers.SyntheticCorpus;
import dev.rmr1.tokenizers.Tokenizer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Encoding throughput (MB/s of UTF-8 input) of our tokenizer (Qwen3 tokenizer.json) and of JTokkit
 * cl100k_base on the same deterministic ~10 MB mix of English, code and CJK text, single thread and all
 * cores, in one run. Each measurement is the median of 3 passes after 2 warm-up passes; the word
 * caches are warm in both (JTokkit has none, ours is per thread). Runs in well under a minute.
 *
 * <pre>java -cp bench/target/rmr1-bench.jar dev.rmr1.bench.tokenizers.TokenizerThroughput [tokenizer.json] [MB]</pre>
 */
public final class TokenizerThroughput {
  private TokenizerThroughput() {}

  public static void main(String[] args) {
    Path tokJson = Path.of(args.length > 0 ? args[0] : "tokenizers/src/test/resources/qwen3/tokenizer.json");
    double targetMb = args.length > 1 ? Double.parseDouble(args[1]) : 10;
    long t0 = System.nanoTime();
    Tokenizer ours = Tokenizer.fromFile(tokJson);
    double loadMs = (System.nanoTime() - t0) / 1e6;
    Encoding jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

    List<String> docs = corpus(targetMb);
    long bytes = 0;
    for (String d : docs) bytes += d.getBytes(StandardCharsets.UTF_8).length;
    double mb = bytes / 1e6;
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf("corpus: %d documents, %.2f MB UTF-8 (seed 42); %d cores; %s%n", docs.size(), mb, cores, Runtime.version());
    System.out.printf("load Qwen3 tokenizer.json: %.0f ms (cold JVM)%n", loadMs);

    ToIntFunction<String> oursEncode = s -> ours.encode(s).length;
    ToIntFunction<String> jtEncode = s -> jtokkit.encodeOrdinary(s).size();
    long tokOurs = count(docs, oursEncode), tokJt = count(docs, jtEncode);
    System.out.printf("tokens: ours (Qwen3) %d, JTokkit (cl100k_base) %d%n", tokOurs, tokJt);

    double[] o1 = median(docs, oursEncode, false), j1 = median(docs, jtEncode, false);
    double[] oN = median(docs, oursEncode, true), jN = median(docs, jtEncode, true);
    System.out.printf("system load average during the run: %.1f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println("| tokenizer | threads | MB/s wall (median of 3) | MB/s per CPU-second | throughput / JTokkit's |");
    System.out.println("|---|---|---|---|---|");
    System.out.printf("| rmr1 Qwen3 BPE | 1 | %.1f | %.1f | %.2f |%n", mb / o1[0], mb / o1[1], j1[0] / o1[0]);
    System.out.printf("| JTokkit cl100k_base | 1 | %.1f | %.1f | 1.00 |%n", mb / j1[0], mb / j1[1]);
    System.out.printf("| rmr1 Qwen3 BPE | %d | %.1f | - | %.2f |%n", cores, mb / oN[0], jN[0] / oN[0]);
    System.out.printf("| JTokkit cl100k_base | %d | %.1f | - | 1.00 |%n", cores, mb / jN[0]);
  }

  static List<String> corpus(double targetMb) {
    // About 1.25 UTF-8 bytes per char for this mix; generate then trim to the byte target.
    List<String> all = SyntheticCorpus.documents(42, (long) (targetMb * 1e6));
    List<String> out = new ArrayList<>();
    long bytes = 0;
    for (String d : all) {
      if (bytes >= targetMb * 1e6) break;
      out.add(d);
      bytes += d.getBytes(StandardCharsets.UTF_8).length;
    }
    return out;
  }

  private static long count(List<String> docs, ToIntFunction<String> f) {
    long n = 0;
    for (String d : docs) n += f.applyAsInt(d);
    return n;
  }

  /**
   * Median wall seconds and median thread-CPU seconds (single thread only, else NaN) of 3 timed passes after
   * 2 warm-up passes. CPU time is what the pass would take on an otherwise idle core.
   */
  private static double[] median(List<String> docs, ToIntFunction<String> f, boolean parallel) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double[] wall = new double[5], cpu = new double[5];
    for (int i = 0; i < wall.length; i++) {
      long t = System.nanoTime(), c = mx.getCurrentThreadCpuTime();
      long sink = parallel ? docs.parallelStream().mapToLong(f::applyAsInt).sum() : count(docs, f);
      wall[i] = (System.nanoTime() - t) / 1e9;
      cpu[i] = parallel ? Double.NaN : (mx.getCurrentThreadCpuTime() - c) / 1e9;
      if (sink < 0) throw new AssertionError();
    }
    return new double[] {mid(Arrays.copyOfRange(wall, 2, 5)), mid(Arrays.copyOfRange(cpu, 2, 5))};
  }

  private static double mid(double[] a) {
    Arrays.sort(a);
    return a[a.length / 2];
  }
}

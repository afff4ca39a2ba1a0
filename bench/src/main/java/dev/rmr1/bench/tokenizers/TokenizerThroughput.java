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
 * cores, in one run. Rounds alternate the two tokenizers so that both see the same machine load; we
 * report medians over the timed rounds (5 single-thread, 3 all-core) after 2 warm-up rounds. Our word
 * caches are warm (per thread; JTokkit has none). About a minute on a busy 2-core machine.
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

    Rounds single = rounds(docs, oursEncode, jtEncode, false, 5);
    Rounds all = rounds(docs, oursEncode, jtEncode, true, 3);
    System.out.printf("system load average during the run: %.1f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println("| tokenizer | threads | MB/s wall (median) | MB/s per CPU-second (median) | ours / JTokkit (median of per-round ratios) |");
    System.out.println("|---|---|---|---|---|");
    System.out.printf("| rmr1 Qwen3 BPE | 1 | %.1f | %.1f | %.2f wall, %.2f CPU |%n", mb / mid(single.oursWall), mb / mid(single.oursCpu),
        mid(ratios(single.jtWall, single.oursWall)), mid(ratios(single.jtCpu, single.oursCpu)));
    System.out.printf("| JTokkit cl100k_base | 1 | %.1f | %.1f | 1.00 |%n", mb / mid(single.jtWall), mb / mid(single.jtCpu));
    System.out.printf("| rmr1 Qwen3 BPE | %d | %.1f | - | %.2f wall |%n", cores, mb / mid(all.oursWall), mid(ratios(all.jtWall, all.oursWall)));
    System.out.printf("| JTokkit cl100k_base | %d | %.1f | - | 1.00 |%n", cores, mb / mid(all.jtWall));
  }

  /** Seconds per timed round for both tokenizers (CPU time: the encoding thread's, single-thread rounds only). */
  private record Rounds(double[] oursWall, double[] oursCpu, double[] jtWall, double[] jtCpu) {}

  /**
   * Two warm-up rounds, then {@code timed} rounds; each round encodes the corpus with both tokenizers, in
   * alternating order, so that both see the same machine load (the development machine is shared).
   */
  private static Rounds rounds(List<String> docs, ToIntFunction<String> ours, ToIntFunction<String> jt, boolean parallel, int timed) {
    Rounds r = new Rounds(new double[timed], new double[timed], new double[timed], new double[timed]);
    for (int i = -2; i < timed; i++) {
      boolean oursFirst = (i & 1) == 0;
      double[] a = pass(docs, oursFirst ? ours : jt, parallel), b = pass(docs, oursFirst ? jt : ours, parallel);
      if (i < 0) continue;
      double[] o = oursFirst ? a : b, j = oursFirst ? b : a;
      r.oursWall[i] = o[0];
      r.oursCpu[i] = o[1];
      r.jtWall[i] = j[0];
      r.jtCpu[i] = j[1];
    }
    return r;
  }

  /** {wall seconds, thread CPU seconds (NaN when parallel)} of one pass over the corpus. */
  private static double[] pass(List<String> docs, ToIntFunction<String> f, boolean parallel) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long t = System.nanoTime(), c = mx.getCurrentThreadCpuTime();
    long sink = parallel ? docs.parallelStream().mapToLong(f::applyAsInt).sum() : count(docs, f);
    if (sink < 0) throw new AssertionError();
    return new double[] {(System.nanoTime() - t) / 1e9, parallel ? Double.NaN : (mx.getCurrentThreadCpuTime() - c) / 1e9};
  }

  private static double[] ratios(double[] num, double[] den) {
    double[] out = new double[num.length];
    for (int i = 0; i < out.length; i++) out[i] = num[i] / den[i];
    return out;
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

  private static double mid(double[] a) {
    double[] c = a.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }
}

package dev.rmr1.training.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmr1.tensor.io.AtomicFiles;
import dev.rmr1.training.data.BadRecordException;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.DatasetFormatException;
import dev.rmr1.training.data.JudgePromptBuilder;
import dev.rmr1.training.data.JudgePrompts;
import dev.rmr1.training.data.ReadReport;
import dev.rmr1.training.reward.EvalVerdict;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link Benchmark} through a {@link Judge} (spec 8 common pipeline): for every comparison, the chosen
 * response goes to slot B iff {@link PositionSwap} says so (or both orders are judged), the RM-R1 judge messages are
 * built, generations are requested in batches, each is parsed with {@link EvalVerdict} and scored, and one
 * {@link SampleResult} per judgement is appended to the per-sample JSONL log (flushed after every batch). Finally
 * the benchmark's figures are computed from the whole log and written, atomically, to the summary JSON.
 *
 * <p>With {@code resume}, judgements already in the log are kept and skipped; a last line cut off by a killed run is
 * removed; a logged judgement that this run would not make (other seed, data or mode) is an error.
 */
public final class EvalHarness {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JudgePromptBuilder prompts;
  private final EvalOptions options;

  public EvalHarness(JudgePrompts prompts, EvalOptions options) {
    this.prompts = new JudgePromptBuilder(prompts, options.format());
    this.options = options;
  }

  private record Job(Comparison comparison, boolean swapped) {
    String key() {
      return key(comparison.id(), swapped);
    }

    static String key(String id, boolean swapped) {
      return id + (swapped ? "\u0000B" : "\u0000A");
    }
  }

  /** Judges what {@code samplesJsonl} lacks, then writes {@code summaryJson}. */
  public EvalRun run(Benchmark bench, Judge judge, Path samplesJsonl, Path summaryJson, ProgressListener progress) {
    List<Job> jobs = jobs(bench.comparisons());
    if (jobs.isEmpty()) throw new IllegalArgumentException(bench.name() + ": nothing to judge (no comparisons loaded)");
    Map<String, Job> byKey = new LinkedHashMap<>();
    for (Job j : jobs) {
      if (byKey.put(j.key(), j) != null) {
        throw new IllegalArgumentException(bench.name() + ": duplicate comparison id \"" + j.comparison().id() + "\"");
      }
    }
    Map<String, SampleResult> done = new HashMap<>();
    boolean dropped = options.resume() && Files.exists(samplesJsonl) && readExisting(samplesJsonl, byKey, done);
    int resumed = done.size();
    List<Job> pending = jobs.stream().filter(j -> !done.containsKey(j.key())).toList();
    progress.onProgress(resumed, jobs.size());
    try {
      createParent(samplesJsonl);
      StandardOpenOption mode = options.resume() ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
      try (BufferedWriter out = Files.newBufferedWriter(
          samplesJsonl, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
        for (int start = 0; start < pending.size(); start += options.batchSize()) {
          List<Job> batch = pending.subList(start, Math.min(pending.size(), start + options.batchSize()));
          List<List<ChatMessage>> messages = new ArrayList<>(batch.size());
          for (Job j : batch) messages.add(prompts.build(j.comparison().pair(), SampleResult.chosenSlot(j.swapped())));
          List<String> generations = judge.judgeBatch(messages);
          if (generations.size() != batch.size()) {
            throw new IllegalStateException(
                "judge returned " + generations.size() + " generations for a batch of " + batch.size());
          }
          for (int i = 0; i < batch.size(); i++) {
            Job j = batch.get(i);
            SampleResult r = SampleResult.of(j.comparison(), options.seed(), j.swapped(), messages.get(i),
                generations.get(i));
            out.write(JSON.writeValueAsString(r.toJson()));
            out.write('\n');
            done.put(j.key(), r);
          }
          out.flush();
          progress.onProgress(resumed + start + batch.size(), jobs.size());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + samplesJsonl, e);
    }
    List<SampleResult> results = jobs.stream().map(j -> done.get(j.key())).toList();
    ObjectNode summary = summary(bench, results, resumed);
    Map<String, Double> headline = headline(bench, results);
    writeAtomically(summaryJson, summary);
    return new EvalRun(summary, headline, resumed, pending.size(), dropped);
  }

  private List<Job> jobs(List<Comparison> comparisons) {
    List<Job> jobs = new ArrayList<>(comparisons.size() * (options.bothOrders() ? 2 : 1));
    for (Comparison c : comparisons) {
      if (options.bothOrders()) {
        jobs.add(new Job(c, false));
        jobs.add(new Job(c, true));
      } else {
        jobs.add(new Job(c, PositionSwap.swapped(options.seed(), c.id())));
      }
    }
    return jobs;
  }

  /** Loads the log into {@code done}; returns whether a partial last line was cut off. */
  private boolean readExisting(Path file, Map<String, Job> byKey, Map<String, SampleResult> done) {
    try {
      boolean dropped = repairTail(file);
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String text;
        long line = 0;
        while ((text = in.readLine()) != null) {
          line++;
          if (text.isBlank()) continue;
          SampleResult r;
          try {
            r = SampleResult.fromJson(JSON.readTree(text));
          } catch (JsonProcessingException | BadRecordException e) {
            throw new DatasetFormatException(file, line, "bad per-sample log line: " + e.getMessage(), e);
          }
          check(file, line, r, byKey, done);
          done.put(Job.key(r.id(), r.swapped()), r);
        }
      }
      return dropped;
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
  }

  /**
   * A run killed mid-write leaves an unterminated last line, possibly cut inside a UTF-8 sequence: remove it (its
   * sample is judged again) and return true. A complete last record that only lacks its newline gets one.
   */
  private static boolean repairTail(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      long start = size;
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      boolean found = false;
      while (start > 0 && !found) {
        int n = (int) Math.min(buf.capacity(), start);
        long from = start - n;
        buf.clear().limit(n);
        readFully(ch, buf, from);
        for (int i = n - 1; i >= 0 && !found; i--) {
          if (buf.get(i) == '\n') {
            start = from + i + 1;
            found = true;
          }
        }
        if (!found) start = from;
      }
      if (start == size) return false; // empty, or ends with a newline
      ByteBuffer tail = ByteBuffer.allocate(Math.toIntExact(size - start));
      readFully(ch, tail, start);
      if (isCompleteSample(tail.flip())) {
        ch.write(ByteBuffer.wrap(new byte[] {'\n'}), size);
        return false;
      }
      ch.truncate(start);
      return true;
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) throw new java.io.EOFException("file shrank while reading");
    }
  }

  private static boolean isCompleteSample(ByteBuffer bytes) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
      SampleResult.fromJson(JSON.readTree(text));
      return true;
    } catch (CharacterCodingException | JsonProcessingException | BadRecordException e) {
      return false;
    }
  }

  private void check(Path file, long line, SampleResult r, Map<String, Job> byKey, Map<String, SampleResult> done) {
    String key = Job.key(r.id(), r.swapped());
    if (!options.bothOrders() && r.seed() != options.seed()) {
      throw new DatasetFormatException(file, line, "sample " + r.id() + " was judged with seed " + r.seed()
          + ", this run uses seed " + options.seed() + " (resume with the same seed, or start a new log)", null);
    }
    Job j = byKey.get(key);
    if (j == null) {
      throw new DatasetFormatException(file, line, "sample " + r.id() + " (swapped=" + r.swapped()
          + ") is not a judgement of this run (other data, --limit, order mode or benchmark?)", null);
    }
    if (!j.comparison().meta().equals(r.meta())) {
      throw new DatasetFormatException(file, line, "sample " + r.id() + " has meta " + r.meta()
          + " but the data give " + j.comparison().meta(), null);
    }
    if (done.containsKey(key)) throw new DatasetFormatException(file, line, "sample " + r.id() + " logged twice", null);
  }

  private ObjectNode summary(Benchmark bench, List<SampleResult> results, int resumed) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("benchmark", bench.name());
    o.put("prompt_format", options.format().name().toLowerCase(java.util.Locale.ROOT));
    o.put("seed", options.seed());
    o.put("both_orders", options.bothOrders());
    o.put("swap_rule", "swapped (chosen in slot B) = SHA-256(decimal(seed) + NUL + UTF-8(id))[0] & 1");
    o.put("comparisons", bench.comparisons().size());
    o.put("judgements", results.size());
    o.put("resumed", resumed);
    long skipped = bench.readReports().stream().mapToLong(r -> r.skipped().size()).sum();
    o.put("skipped_records", skipped);
    long both = results.stream().filter(r -> r.verdict() == EvalVerdict.ERROR_BOTH).count();
    long none = results.stream().filter(r -> r.verdict() == EvalVerdict.ERROR_NONE).count();
    ObjectNode err = o.putObject("errors");
    err.put("both_verdicts", both);
    err.put("no_verdict", none);
    err.put("rate", (double) (both + none) / results.size());
    o.put("mean_generation_chars", results.stream().mapToInt(r -> r.generation().length()).average().orElse(0));
    o.put("chosen_in_b_fraction", (double) results.stream().filter(SampleResult::swapped).count() / results.size());
    if (options.bothOrders()) {
      ObjectNode a = bench.summarize(order(results, false)).json();
      ObjectNode b = bench.summarize(order(results, true)).json();
      ObjectNode scores = o.putObject("scores");
      scores.set("chosen_in_a", a);
      scores.set("chosen_in_b", b);
      scores.set("averaged", JsonAverage.mean(a, b));
    } else {
      o.set("scores", bench.summarize(results).json());
    }
    if (skipped > 0) {
      var list = o.putArray("skipped");
      for (ReadReport r : bench.readReports()) r.skipped().forEach(s -> list.add(s.toString()));
    }
    return o;
  }

  private Map<String, Double> headline(Benchmark bench, List<SampleResult> results) {
    if (!options.bothOrders()) return bench.summarize(results).headline();
    Map<String, Double> a = bench.summarize(order(results, false)).headline();
    Map<String, Double> b = bench.summarize(order(results, true)).headline();
    Map<String, Double> h = new LinkedHashMap<>();
    a.forEach((k, v) -> {
      if (b.containsKey(k)) h.put(k, (v + b.get(k)) / 2);
    });
    return h;
  }

  private static List<SampleResult> order(List<SampleResult> results, boolean swapped) {
    return results.stream().filter(r -> r.swapped() == swapped).toList();
  }

  private static void createParent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
  }

  private static void writeAtomically(Path file, JsonNode json) {
    try {
      AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
  }
}

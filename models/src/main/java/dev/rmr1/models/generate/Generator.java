package dev.rmr1.models.generate;

import dev.rmr1.models.CausalLM;
import dev.rmr1.nn.CastCache;
import dev.rmr1.nn.SequenceCache;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Batched generation with a KV cache: many sequences of different lengths at once, each with its
 * own {@link SequenceCache}, positions, sampling parameters and seeded random stream.
 *
 * <ol>
 *   <li>Up to {@link GenerationOptions#maxBatchSize()} requests are active; the rest wait in order.
 *   <li>Prefill: new prompts run through the model packed together (at most
 *       {@link GenerationOptions#maxPrefillTokens()} tokens per pass; long prompts in chunks).
 *       Requests admitted together with identical prompts share one prefill: the others fork its
 *       cache and sample their first token from the same logits with their own seeds.
 *   <li>Decode: one step feeds every active sequence its last token, packed, and samples the next.
 *   <li>A sequence that meets eos, a stop string, {@code maxNewTokens} or the context length is
 *       removed at once (its cache freed), so it costs nothing more, and a waiting request takes
 *       its place.
 * </ol>
 *
 * A sequence's tokens depend only on its prompt, sampling parameters and seed, not on the batch it
 * ran in (the projections compute each packed row independently). One Generator per thread.
 */
public final class Generator {
  private final CausalLM model;
  private final Sampler sampler = new Sampler();

  public Generator(CausalLM model) {
    this.model = model;
  }

  public GenerationResult generate(List<GenerationRequest> requests, GenerationOptions options) {
    return generate(requests, options, GenerationListener.NONE);
  }

  public GenerationResult generate(List<GenerationRequest> requests, GenerationOptions options, GenerationListener listener) {
    int maxPositions = model.config().maxPositionEmbeddings(), vocab = model.config().vocabSize();
    for (int i = 0; i < requests.size(); i++) {
      GenerationRequest r = requests.get(i);
      if (r.promptLength() > maxPositions)
        throw new IllegalArgumentException("prompt " + i + " has " + r.promptLength() + " tokens, more than the model's max_position_embeddings ("
            + maxPositions + ")");
      for (int j = 0; j < r.promptLength(); j++)
        if (r.promptId(j) < 0 || r.promptId(j) >= vocab)
          throw new IllegalArgumentException("prompt " + i + " has token id " + r.promptId(j) + " outside the vocabulary [0, " + vocab + ")");
    }
    Run run = new Run(requests, options, listener);
    // nothing changes the weights while generating: frozen low-precision biases and norm weights
    // are cast to the compute dtype once, not on every step
    try (CastCache casts = CastCache.open()) {
      run.loop();
    } finally {
      run.closeAll();
    }
    return new GenerationResult(Arrays.asList(run.results), run.stats());
  }

  /** One sequence in flight. */
  private static final class Seq {
    final int index;
    final GenerationRequest request;
    final Rng rng;
    final TextStream text;
    Seq leader; // shares the prefill of this request (same prompt), until forked
    SequenceCache cache;
    int prefilled;
    int[] tokens = new int[16];
    int count;
    FinishReason finish;

    Seq(int index, GenerationRequest request, GenerationOptions options) {
      this.index = index;
      this.request = request;
      this.rng = new Rng(request.seed());
      this.text = options.decoder() == null ? null : new TextStream(options.decoder(), options.stopStrings());
    }

    boolean prefilling() {
      return cache != null && prefilled < request.promptLength();
    }

    int last() {
      return tokens[count - 1];
    }
  }

  private final class Run {
    final List<GenerationRequest> requests;
    final GenerationOptions options;
    final GenerationListener listener;
    final Generation[] results;
    final Deque<Integer> pending = new ArrayDeque<>();
    final List<Seq> active = new ArrayList<>();
    final int maxPositions = model.config().maxPositionEmbeddings();
    long prefillTokens, prefillNanos, decodeTokens, decodeSteps, decodeNanos;

    Run(List<GenerationRequest> requests, GenerationOptions options, GenerationListener listener) {
      this.requests = requests;
      this.options = options;
      this.listener = listener;
      results = new Generation[requests.size()];
      for (int i = 0; i < requests.size(); i++) pending.add(i);
    }

    GenerationStats stats() {
      return new GenerationStats(prefillTokens, prefillNanos, decodeTokens, decodeSteps, decodeNanos);
    }

    void loop() {
      while (!pending.isEmpty() || !active.isEmpty()) {
        admit();
        while (active.stream().anyMatch(Seq::prefilling)) prefillPass();
        retire();
        List<Seq> decoding = active.stream().filter(s -> s.finish == null).toList();
        if (!decoding.isEmpty()) decodeStep(decoding);
        retire();
      }
    }

    void admit() {
      List<Seq> admitted = new ArrayList<>();
      while (active.size() < options.maxBatchSize() && !pending.isEmpty()) {
        int i = pending.poll();
        GenerationRequest r = requests.get(i);
        Seq s = new Seq(i, r, options);
        if (r.promptLength() >= maxPositions) {
          s.finish = FinishReason.CONTEXT; // no room for a single new token
          finish(s);
          continue;
        }
        for (Seq a : admitted)
          if (a.leader == null && a.request.samePrompt(r)) {
            s.leader = a;
            break;
          }
        if (s.leader == null) s.cache = model.newCache();
        active.add(s);
        admitted.add(s);
      }
    }

    /** One packed pass over the prompts still being prefilled, within the token budget. */
    void prefillPass() {
      List<Seq> seqs = new ArrayList<>();
      List<SequenceCache> caches = new ArrayList<>();
      List<int[]> chunks = new ArrayList<>();
      int budget = options.maxPrefillTokens();
      for (Seq s : active) {
        if (!s.prefilling() || budget == 0) continue;
        int n = Math.min(s.request.promptLength() - s.prefilled, budget);
        seqs.add(s);
        caches.add(s.cache);
        chunks.add(s.request.promptSlice(s.prefilled, s.prefilled + n));
        budget -= n;
      }
      long t0 = System.nanoTime();
      float[] logits;
      try (Tensor out = model.step(caches, chunks, false)) {
        logits = out.toFloatArray();
      }
      int vocab = model.config().vocabSize();
      for (int i = 0; i < seqs.size(); i++) {
        Seq s = seqs.get(i);
        s.prefilled += chunks.get(i).length;
        prefillTokens += chunks.get(i).length;
        if (s.prefilling()) continue;
        accept(s, sampler.sample(logits, i * vocab, vocab, s.request.sampling(), s.rng));
        for (Seq f : active)
          if (f.leader == s) {
            f.leader = null;
            f.cache = s.cache.fork();
            f.prefilled = s.prefilled;
            accept(f, sampler.sample(logits, i * vocab, vocab, f.request.sampling(), f.rng));
          }
      }
      prefillNanos += System.nanoTime() - t0;
    }

    void decodeStep(List<Seq> seqs) {
      long t0 = System.nanoTime();
      List<SequenceCache> caches = new ArrayList<>(seqs.size());
      List<int[]> next = new ArrayList<>(seqs.size());
      for (Seq s : seqs) {
        caches.add(s.cache);
        next.add(new int[] {s.last()});
      }
      // Tokens are chosen where the logits are: S token ids come back instead of S x V logits
      // (10 MB a step for 16 sequences of Qwen2.5), and the host does no softmax over the
      // vocabulary. Each sequence makes the one draw from its own generator that Sampler makes.
      List<SamplingParams> params = new ArrayList<>(seqs.size());
      double[] uniforms = new double[seqs.size()];
      for (int i = 0; i < seqs.size(); i++) {
        Seq s = seqs.get(i);
        params.add(s.request.sampling());
        if (!s.request.sampling().greedy()) uniforms[i] = s.rng.nextDouble();
      }
      int[] chosen;
      try (Tensor out = model.step(caches, next, false)) {
        chosen = DeviceSampling.choose(out, params, uniforms);
      }
      for (int i = 0; i < seqs.size(); i++) accept(seqs.get(i), chosen[i]);
      decodeTokens += seqs.size();
      decodeSteps++;
      decodeNanos += System.nanoTime() - t0;
    }

    void accept(Seq s, int token) {
      if (s.count == s.tokens.length) s.tokens = Arrays.copyOf(s.tokens, s.count * 2);
      s.tokens[s.count++] = token;
      String delta = s.text == null ? "" : s.text.append(token);
      listener.onToken(s.index, token, delta);
      if (options.eosTokenIds().contains(token)) s.finish = FinishReason.EOS;
      else if (s.text != null && s.text.stopped()) s.finish = FinishReason.STOP_STRING;
      else if (s.count >= options.maxNewTokens()) s.finish = FinishReason.LENGTH;
      else if (s.request.promptLength() + s.count >= maxPositions) s.finish = FinishReason.CONTEXT;
    }

    /** Moves finished sequences out of the batch and frees their caches. */
    void retire() {
      List<Seq> done = active.stream().filter(s -> s.finish != null).toList();
      active.removeAll(done);
      for (Seq s : done) {
        if (s.cache != null) s.cache.close();
        finish(s);
      }
    }

    void finish(Seq s) {
      int[] generated = Arrays.copyOf(s.tokens, s.count);
      String tail = s.text == null ? "" : s.text.flush();
      String full = options.decoder() == null ? null : options.decoder().decode(generated);
      Generation g = new Generation(generated, s.finish, full);
      results[s.index] = g;
      listener.onFinish(s.index, tail, g);
    }

    void closeAll() {
      for (Seq s : active) if (s.cache != null) s.cache.close();
      active.clear();
    }
  }
}

package dev.rmr1.models.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.Fixtures;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batched KV-cache generation on tiny-qwen2-a. */
class GeneratorTest {
  static CausalLM model;
  static int[] ids1, ids2, greedy12;

  @BeforeAll
  static void load() {
    model = CausalLM.load(Fixtures.tinyQwen2());
    try (SafeTensorsFile ref = SafeTensors.open(Fixtures.tinyQwen2().resolve("reference_logits.safetensors"))) {
      ids1 = Fixtures.ints(ref.tensor("input_ids_1"));
      ids2 = Fixtures.ints(ref.tensor("input_ids_2"));
      greedy12 = Fixtures.ints(ref.tensor("greedy_12"));
    }
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static final SamplingParams HOT = new SamplingParams(1.0, 0, 0.9, 0.0);

  static List<int[]> run(List<GenerationRequest> reqs, GenerationOptions opts) {
    return new Generator(model).generate(reqs, opts).generations().stream().map(Generation::tokens).toList();
  }

  @Test
  void greedyMatchesTransformers() {
    GenerationResult r = new Generator(model).generate(List.of(new GenerationRequest(ids2, SamplingParams.GREEDY, 0)), GenerationOptions.of(12));
    Generation g = r.generations().get(0);
    assertArrayEquals(greedy12, g.tokens());
    assertEquals(FinishReason.LENGTH, g.finishReason());
    assertNull(g.text());
    assertEquals(ids2.length, r.stats().prefillTokens());
    assertEquals(11, r.stats().decodeTokens());
  }

  @Test
  void batchOfDifferentLengthsEqualsEachAlone() {
    List<GenerationRequest> reqs = List.of(new GenerationRequest(ids1, HOT, 1), new GenerationRequest(ids2, SamplingParams.GREEDY, 2),
        new GenerationRequest(Arrays.copyOf(ids1, 5), new SamplingParams(0.7, 20, 1, 0.05), 3), new GenerationRequest(Arrays.copyOf(ids2, 1), HOT, 4));
    List<int[]> together = run(reqs, GenerationOptions.of(15));
    for (int i = 0; i < reqs.size(); i++) assertArrayEquals(run(List.of(reqs.get(i)), GenerationOptions.of(15)).get(0), together.get(i), "request " + i);
    // two at a time (waiting requests start as others finish), and prompts prefilled in chunks of 4
    List<int[]> narrow = run(reqs, GenerationOptions.of(15).withMaxBatchSize(2).withMaxPrefillTokens(4));
    for (int i = 0; i < reqs.size(); i++) assertArrayEquals(together.get(i), narrow.get(i), "request " + i);
  }

  @Test
  void groupOfSamplesSharesOnePrefillAndIsReproducible() {
    List<GenerationRequest> group = new ArrayList<>();
    for (int i = 0; i < 7; i++) group.add(new GenerationRequest(ids1, HOT, 100 + i));
    GenerationResult r = new Generator(model).generate(group, GenerationOptions.of(10));
    assertEquals(ids1.length, r.stats().prefillTokens());
    for (int i = 0; i < 7; i++) assertArrayEquals(run(List.of(group.get(i)), GenerationOptions.of(10)).get(0), r.generations().get(i).tokens());
    // same seeds, same tokens; the seeds do make a difference
    List<int[]> again = run(group, GenerationOptions.of(10));
    for (int i = 0; i < 7; i++) assertArrayEquals(r.generations().get(i).tokens(), again.get(i));
    assertTrue(r.generations().stream().map(g -> Arrays.toString(g.tokens())).distinct().count() > 1);
  }

  @Test
  void eosStopsASequenceAndItCostsNothingMore() {
    int eos = greedy12[3];
    int firstEos = 0;
    while (greedy12[firstEos] != eos) firstEos++;
    List<GenerationRequest> reqs = List.of(new GenerationRequest(ids2, SamplingParams.GREEDY, 0), new GenerationRequest(ids1, HOT, 5));
    GenerationResult r = new Generator(model).generate(reqs, GenerationOptions.of(12).withEos(Set.of(eos)));
    Generation g = r.generations().get(0);
    assertEquals(FinishReason.EOS, g.finishReason());
    assertArrayEquals(Arrays.copyOf(greedy12, firstEos + 1), g.tokens());
    long generated = r.generations().stream().mapToLong(x -> x.tokens().length).sum();
    // every token after a sequence's first comes from exactly one decode row: finished ones are not run
    assertEquals(generated - reqs.size(), r.stats().decodeTokens());
  }

  /** A stand-in tokenizer: token i is the two characters "a" + (char) ('a' + i % 26), specials kept. */
  static final TokenDecoder LETTERS = ids -> {
    StringBuilder b = new StringBuilder();
    for (int id : ids) b.append('a').append((char) ('a' + id % 26));
    return b.toString();
  };

  @Test
  void stopStringsAndStreamedText() {
    String stop = LETTERS.decode(new int[] {greedy12[4]}) + LETTERS.decode(new int[] {greedy12[5]}).charAt(0);
    List<String> streamed = new ArrayList<>(List.of("", ""));
    Map<Integer, Generation> finished = new HashMap<>();
    GenerationListener listener = new GenerationListener() {
      @Override
      public void onToken(int sequence, int token, String text) {
        streamed.set(sequence, streamed.get(sequence) + text);
      }

      @Override
      public void onFinish(int sequence, String tail, Generation g) {
        streamed.set(sequence, streamed.get(sequence) + tail);
        finished.put(sequence, g);
      }
    };
    GenerationOptions opts = GenerationOptions.of(12).withDecoder(LETTERS).withStopStrings(List.of(stop));
    List<GenerationRequest> reqs = List.of(new GenerationRequest(ids2, SamplingParams.GREEDY, 0), new GenerationRequest(ids1, SamplingParams.GREEDY, 0));
    GenerationResult r = new Generator(model).generate(reqs, opts, listener);
    Generation g = r.generations().get(0);
    assertTrue(g.text().contains(stop));
    assertEquals(FinishReason.STOP_STRING, g.finishReason());
    int[] t = g.tokens();
    assertFalse(LETTERS.decode(Arrays.copyOf(t, t.length - 1)).contains(stop), "stopped at the first token completing the stop string");
    for (int i = 0; i < 2; i++) {
      assertEquals(r.generations().get(i).text(), streamed.get(i));
      assertEquals(r.generations().get(i), finished.get(i));
    }
    assertThrows(IllegalArgumentException.class, () -> GenerationOptions.of(3).withStopStrings(List.of("x")));
  }

  @Test
  void contextLimits() {
    int max = model.config().maxPositionEmbeddings();
    int[] nearlyFull = new int[max - 6];
    Arrays.fill(nearlyFull, 7);
    Generation g = new Generator(model).generate(List.of(new GenerationRequest(nearlyFull, SamplingParams.GREEDY, 0)), GenerationOptions.of(20))
        .generations().get(0);
    assertEquals(6, g.tokens().length);
    assertEquals(FinishReason.CONTEXT, g.finishReason());
    Generation none = new Generator(model).generate(List.of(new GenerationRequest(new int[max], SamplingParams.GREEDY, 0)), GenerationOptions.of(20))
        .generations().get(0);
    assertEquals(0, none.tokens().length);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Generator(model).generate(List.of(new GenerationRequest(new int[max + 1], SamplingParams.GREEDY, 0)), GenerationOptions.of(2)));
    assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Generator(model).generate(List.of(new GenerationRequest(new int[] {1, 320}, SamplingParams.GREEDY, 0)), GenerationOptions.of(2)));
    assertTrue(e.getMessage().contains("320"), e.getMessage());
  }
}

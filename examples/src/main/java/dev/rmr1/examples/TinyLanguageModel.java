package dev.rmr1.examples;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.config.Architecture;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.models.generate.Generation;
import dev.rmr1.models.generate.GenerationOptions;
import dev.rmr1.models.generate.GenerationRequest;
import dev.rmr1.models.generate.Generator;
import dev.rmr1.models.generate.SamplingParams;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tokenizers.BpeTrainer;
import dev.rmr1.tokenizers.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Example 2: train a tiny language model from scratch on a text file.
 *
 * <ol>
 *   <li>Train a byte-level BPE tokenizer on the text itself (256 byte tokens + merges + one special token).
 *   <li>Build a Qwen2-architecture decoder with random weights (2 layers, hidden 64, tied embeddings).
 *   <li>Train every weight on random windows of the text ({@link TextWindows}).
 *   <li>Continue the text's first few tokens greedily: after training the model recites what it read.
 * </ol>
 *
 * <pre>java ... dev.rmr1.examples.TinyLanguageModel TEXT_FILE [STEPS]</pre>
 */
public final class TinyLanguageModel {
  /** The loss of every step and the greedy continuation of the text's opening. */
  public record Result(double[] losses, String prompt, String continuation) {}

  private TinyLanguageModel() {}

  public static Result run(String text, int vocab, int steps, int batch, int window, long seed, PrintStream out) {
    Tokenizer tok = new BpeTrainer(vocab, List.of("<|endoftext|>")).train(List.of(text));
    int[] ids = tok.encode(text, false);
    out.printf(Locale.ROOT, "tokenizer: %d ids; the text is %d characters, %d tokens%n", tok.vocabSize(), text.length(), ids.length);
    ModelConfig config = ModelConfig.builder(Architecture.QWEN2).vocabSize(tok.vocabSize()).hiddenSize(64).intermediateSize(192)
        .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).maxPositionEmbeddings(256).tieWordEmbeddings(true).build();
    try (CausalLM model = CausalLM.random(config, DType.F32, seed, 0.02)) {
      out.printf(Locale.ROOT, "model: %,d parameters%n", model.namedParameters().values().stream().mapToLong(p -> p.value().numel()).sum());
      double[] losses = TextWindows.train(model, List.copyOf(model.trainableParameters()), ids, steps, batch, window, 3e-3, new Rng(seed), out);
      int[] opening = java.util.Arrays.copyOf(ids, Math.min(8, ids.length));
      Generation g = new Generator(model).generate(List.of(new GenerationRequest(opening, SamplingParams.GREEDY, 0)), GenerationOptions.of(window))
          .generations().get(0);
      String prompt = tok.decode(opening, false);
      String continuation = tok.decode(g.tokens(), false);
      out.println("prompt:       " + prompt);
      out.println("continuation: " + continuation);
      return new Result(losses, prompt, continuation);
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: TinyLanguageModel TEXT_FILE [STEPS]");
      System.exit(2);
    }
    run(Files.readString(Path.of(args[0])), 400, args.length > 1 ? Integer.parseInt(args[1]) : 200, 8, 64, 0, System.out);
  }
}

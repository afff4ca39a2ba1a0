package dev.rmr1.examples;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.LoraConfig;
import dev.rmr1.nn.optim.OptimParam;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tokenizers.PretrainedTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Example 3: LoRA fine-tuning of a Hugging Face checkpoint on a text file.
 *
 * <ol>
 *   <li>Load the checkpoint frozen ({@code LoadOptions.inference()}): its weights are never updated.
 *   <li>{@link Lora#apply}: beside every linear layer ("all-linear": q, k, v, o, gate, up, down) add
 *       {@code y += (alpha / r) B A x} with A random and B zero (PEFT's init), so the model starts out unchanged.
 *       Only A and B are trainable.
 *   <li>Train on random windows of the tokenized text ({@link TextWindows}): causal-LM loss, backward, clipped
 *       AdamW step, on A and B only.
 * </ol>
 *
 * <pre>java ... dev.rmr1.examples.LoraFinetune MODEL_DIR TOKENIZER_DIR TEXT_FILE [STEPS]</pre>
 */
public final class LoraFinetune {
  /** What a run did: the loss of each step, the adapted layers and the trainable parameter count. */
  public record Result(double[] losses, List<String> adapted, long trainable, long total) {}

  private LoraFinetune() {}

  public static Result run(Path modelDir, PretrainedTokenizer tokenizer, String text, int steps, int batch, int window,
      long seed, PrintStream out) {
    int[] ids = tokenizer.tokenizer().encode(text, false);
    try (CausalLM model = CausalLM.load(modelDir, LoadOptions.inference())) {
      Rng rng = new Rng(seed);
      List<String> adapted = Lora.apply(model, new LoraConfig(8, 16, 0.0, false, List.of(LoraConfig.ALL_LINEAR)), rng);
      List<OptimParam> params = List.copyOf(model.trainableParameters());
      long trainable = params.stream().mapToLong(p -> p.value().numel()).sum();
      long total = model.namedParameters().values().stream().mapToLong(p -> p.value().numel()).sum();
      out.printf(Locale.ROOT, "LoRA r=8 alpha=16 on %d layers: %,d trainable of %,d parameters (%.1f%%)%n", adapted.size(), trainable, total,
          100.0 * trainable / total);
      double[] losses = TextWindows.train(model, params, ids, steps, batch, window, 5e-3, rng, out);
      return new Result(losses, adapted, trainable, total);
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: LoraFinetune MODEL_DIR TOKENIZER_DIR TEXT_FILE [STEPS]");
      System.exit(2);
    }
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 50;
    run(Path.of(args[0]), PretrainedTokenizer.load(Path.of(args[1])), Files.readString(Path.of(args[2])), steps, 4, 32, 0, System.out);
  }
}

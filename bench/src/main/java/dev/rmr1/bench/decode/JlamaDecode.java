package dev.rmr1.bench.decode;

import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.model.functions.Generator;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.prompt.PromptContext;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Jlama (com.github.tjake:jlama-core) on the same checkpoint: prefill tokens/s from its own prompt
 * timing (the batched forward over the prompt) and decode tokens/s from its generation loop
 * (forward of one token plus sampling per step), greedy. Jlama decodes one sequence at a time.
 */
final class JlamaDecode implements AutoCloseable {
  record Run(int promptTokens, int generated, double prefillTokensPerSecond, double decodeTokensPerSecond) {}

  private final AbstractModel model;

  /** Must run before anything else touches Jlama's thread pool, which is sized once per JVM. */
  static void setThreads(int threads) {
    PhysicalCoreExecutor.overrideThreadCount(threads);
  }

  JlamaDecode(Path dir) {
    // F32 working memory; a BF16 checkpoint makes Jlama compute BF16 x BF16 (its own choice)
    model = ModelSupport.loadModel(dir.toFile(), DType.F32, DType.I8);
  }

  /** A prompt text of about {@code tokens} tokens under Jlama's tokenizer. */
  String promptOf(int tokens) {
    StringBuilder b = new StringBuilder();
    while (model.getTokenizer().encode(b.toString()).length < tokens) b.append(" hello");
    return b.toString();
  }

  Run run(String prompt, int newTokens) {
    int promptTokens = model.getTokenizer().encode(prompt).length + 1; // Jlama prepends bos
    Generator.Response r = model.generate(UUID.randomUUID(), PromptContext.of(prompt), 0.0f, promptTokens + newTokens, (text, ms) -> {});
    return new Run(r.promptTokens, r.generatedTokens, r.promptTokens * 1000.0 / Math.max(1, r.promptTimeMs),
        r.generatedTokens * 1000.0 / Math.max(1, r.generateTimeMs));
  }

  @Override
  public void close() {
    model.close();
  }
}

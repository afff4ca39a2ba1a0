package dev.rmr1.training.judge;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.models.config.GenerationConfig;
import dev.rmr1.tensor.Device;
import dev.rmr1.tokenizers.PretrainedTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A checkpoint opened as an RM-R1 judge: the model (frozen, zero-copy), its tokenizer and chat template, and greedy
 * batched generation that stops at the end-of-sequence ids of {@code generation_config.json} and the tokenizer's
 * {@code eos_token} (vLLM stops on both). Closing it frees the model.
 */
public final class JudgeModel implements AutoCloseable {
  private final CausalLM model;
  private final PretrainedTokenizer tokenizer;
  private final ChatJudge judge;

  private JudgeModel(CausalLM model, PretrainedTokenizer tokenizer, ChatJudge judge) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.judge = judge;
  }

  /**
   * Opens the checkpoint in {@code modelDir}; the tokenizer files come from {@code tokenizerDir} (the model
   * directory when null).
   */
  public static JudgeModel open(Path modelDir, Path tokenizerDir, Device device, int maxNewTokens, int maxBatchSize) {
    Path tokDir = tokenizerDir == null ? modelDir : tokenizerDir;
    if (!Files.isRegularFile(tokDir.resolve("tokenizer.json")) && !Files.isRegularFile(tokDir)) {
      throw new IllegalArgumentException("no tokenizer.json in " + tokDir + (tokenizerDir == null ? " (pass --tokenizer)" : ""));
    }
    PretrainedTokenizer tok = PretrainedTokenizer.load(tokDir);
    PretrainedChat chat = new PretrainedChat(tok);
    CausalLM model = CausalLM.load(modelDir, LoadOptions.inference().withDevice(device));
    try {
      Set<Integer> eos = new LinkedHashSet<>(GenerationConfig.forModelDirectory(modelDir, model.config()).eosTokenIds());
      String eosToken = tok.specialTokens().get("eos_token");
      if (eosToken != null && tok.tokenizer().tokenToId(eosToken) != null) eos.add(tok.tokenizer().tokenToId(eosToken));
      if (eos.isEmpty()) {
        throw new IllegalArgumentException(modelDir + ": no end-of-sequence id in generation_config.json, config.json or the tokenizer's eos_token");
      }
      return new JudgeModel(model, tok, new ChatJudge(chat, new ModelGenerator(model, eos, maxBatchSize), maxNewTokens));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public ChatJudge judge() {
    return judge;
  }

  public CausalLM model() {
    return model;
  }

  public PretrainedTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public void close() {
    model.close();
  }
}

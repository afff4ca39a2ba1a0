package dev.rmr1.cli;

import dev.rmr1.training.data.JudgePrompts;
import dev.rmr1.training.data.PromptFormat;
import dev.rmr1.training.judge.JudgeModel;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options that open a checkpoint as an RM-R1 judge (model, tokenizer, prompts, generation cap), shared by {@code eval} and {@code judge}. */
final class JudgeOptions {
  @Mixin ModelOptions model;

  @Option(names = "--tokenizer", paramLabel = "PATH",
      description = "tokenizer.json + tokenizer_config.json directory, when the model directory has none.")
  Path tokenizer;

  @Option(names = "--format", paramLabel = "instruct|reasoning", defaultValue = "instruct", converter = FormatConverter.class,
      description = "Judge prompt family (spec 2.1): instruct = system prompt + user template (Qwen2.5-Instruct based RM-R1), "
          + "reasoning = one user message (DeepSeek-R1-distilled RM-R1). Default: ${DEFAULT-VALUE}.")
  PromptFormat format;

  @Option(names = "--prompts", paramLabel = "FILE",
      description = "Judge prompt strings with the keys of rm-r1-prompts.json (default: RM-R1's own, bundled).")
  Path prompts;

  @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "50000",
      description = "Generated tokens per judgement at most, further capped at the model's context minus the prompt "
          + "(RM-R1 asked vLLM for 50,000). Default: ${DEFAULT-VALUE}.")
  int maxNewTokens;

  static final class FormatConverter implements picocli.CommandLine.ITypeConverter<PromptFormat> {
    @Override
    public PromptFormat convert(String value) {
      return PromptFormat.parse(value);
    }
  }

  JudgePrompts judgePrompts() {
    return prompts == null ? JudgePrompts.bundled() : JudgePrompts.load(prompts);
  }

  /** Resolves the reference and opens the judge with {@code batch} sequences decoded at once. */
  JudgeModel open(int batch) {
    return JudgeModel.open(model.resolve(), tokenizer, model.device.device(), maxNewTokens, batch);
  }
}

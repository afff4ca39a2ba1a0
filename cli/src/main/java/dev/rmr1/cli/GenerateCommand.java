package dev.rmr1.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmr1.models.CausalLM;
import dev.rmr1.models.config.GenerationConfig;
import dev.rmr1.models.generate.Generation;
import dev.rmr1.models.generate.GenerationListener;
import dev.rmr1.models.generate.GenerationOptions;
import dev.rmr1.models.generate.GenerationRequest;
import dev.rmr1.models.generate.Generator;
import dev.rmr1.models.generate.SamplingParams;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./rmr1 generate}: continues a prompt with a model, streaming the new tokens, or with
 * {@code --json} printing one line {@code {"ids": [...], "text": "..."}} (generated ids only).
 * Sampling defaults come from the model's generation_config.json; the flags override them, and
 * {@code --temperature 0} is greedy. Generation stops at any eos id of generation_config.json.
 */
@Command(name = "generate", header = "Generate text with a model (KV-cache decoding), streamed or as JSON.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Generate text with a model (KV-cache decoding).",
        "Example: ./rmr1 generate --model Qwen/Qwen2.5-0.5B-Instruct --prompt-ids 9707,11,1879 --temperature 0 --json"})
public final class GenerateCommand implements Callable<Integer> {
  @Mixin ModelOptions modelOptions;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Prompt prompt;

  static final class Prompt {
    @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text (needs the model's tokenizer).")
    String text;

    @Option(names = "--prompt-ids", paramLabel = "IDS", description = "Prompt token ids, comma-separated.")
    String ids;
  }

  @Option(names = "--chat", description = "Render --prompt with the model's chat template as a user message.")
  boolean chat;

  @Option(names = "--system", paramLabel = "TEXT", description = "System message for --chat.")
  String system;

  @Option(names = "--max-new-tokens", paramLabel = "N", description = "Tokens to generate at most (default: generation_config's max_new_tokens, else 256).")
  Integer maxNewTokens;

  @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature; 0 is greedy (default: generation_config).")
  Double temperature;

  @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling mass (default: generation_config).")
  Double topP;

  @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens, 0 for all (default: generation_config).")
  Integer topK;

  @Option(names = "--min-p", paramLabel = "P", description = "Drop tokens below P times the top probability (default: generation_config).")
  Double minP;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print one JSON line {\"ids\": [...], \"text\": \"...\"} instead of streaming.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (prompt.text != null)
      throw new ParameterException(spec.commandLine(), "--prompt needs the model's tokenizer, and this build has no tokenizer implementation yet"
          + " (tokenizers module); pass token ids with --prompt-ids");
    if (chat || system != null) throw new ParameterException(spec.commandLine(), "--chat and --system apply to --prompt text only");
    if (maxNewTokens != null && maxNewTokens < 1) throw new ParameterException(spec.commandLine(), "--max-new-tokens must be at least 1");
    int[] promptIds = parseIds(prompt.ids);
    PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
    try {
      return run(out, err, promptIds);
    } catch (RuntimeException e) {
      err.println("rmr1 generate: error: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  private int run(PrintWriter out, PrintWriter err, int[] promptIds) throws Exception {
    Path dir = modelOptions.resolve();
    try (CausalLM model = modelOptions.load(dir)) {
      GenerationConfig gen = GenerationConfig.forModelDirectory(dir, model.config());
      SamplingParams sampling = sampling(gen);
      GenerationOptions options = GenerationOptions.of(maxNewTokens != null ? maxNewTokens : gen.maxNewTokens().orElse(256), gen);
      GenerationListener listener = json ? GenerationListener.NONE : (sequence, token, text) -> {
        out.print(token);
        out.print(' ');
        out.flush();
      };
      Generation g = new Generator(model).generate(List.of(new GenerationRequest(promptIds, sampling, seed)), options, listener)
          .generations().get(0);
      if (json) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ids", g.tokens());
        line.put("text", g.text() == null ? "" : g.text());
        out.println(new ObjectMapper().writeValueAsString(line));
      } else {
        out.println();
      }
      out.flush();
      err.println("rmr1 generate: " + g.tokens().length + " tokens, stopped by " + g.finishReason()
          + "; no tokenizer in this build, so the output is token ids");
      err.flush();
    }
    return 0;
  }

  /** "1,2, 3" -> {1, 2, 3}. */
  private int[] parseIds(String text) {
    String[] parts = text.split(",");
    int[] ids = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        ids[i] = Integer.parseInt(parts[i].strip());
      } catch (NumberFormatException e) {
        throw new ParameterException(spec.commandLine(), "--prompt-ids: '" + parts[i].strip() + "' is not a token id (expected e.g. 1,2,3)");
      }
    }
    return ids;
  }

  /** generation_config.json's defaults, each overridden by its flag. */
  private SamplingParams sampling(GenerationConfig gen) {
    SamplingParams base = SamplingParams.of(gen);
    double t = temperature != null ? temperature : base.temperature();
    if (t == 0) return SamplingParams.GREEDY;
    // sampling without do_sample in the file: plain sampling unless a flag narrows it
    return new SamplingParams(t, topK != null ? topK : base.topK(), topP != null ? topP : base.topP(), minP != null ? minP : base.minP());
  }
}

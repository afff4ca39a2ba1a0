package dev.rmr1.examples;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.LoadOptions;
import dev.rmr1.models.generate.Generation;
import dev.rmr1.models.generate.GenerationListener;
import dev.rmr1.models.generate.GenerationOptions;
import dev.rmr1.models.generate.GenerationRequest;
import dev.rmr1.models.generate.Generator;
import dev.rmr1.models.generate.SamplingParams;
import dev.rmr1.tokenizers.PretrainedTokenizer;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.JudgePromptBuilder;
import dev.rmr1.training.data.JudgePrompts;
import dev.rmr1.training.data.PreferencePair;
import dev.rmr1.training.data.PromptFormat;
import dev.rmr1.training.data.Slot;
import dev.rmr1.training.reward.EvalVerdict;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Example 4: judge one pair with an RM-R1 checkpoint, step by step (what {@code ./rmr1 judge} does).
 *
 * <ol>
 *   <li>Fill RM-R1's judge prompt (spec 2.1): answer A in slot A, answer B in slot B. Instruct checkpoints get the
 *       system prompt plus a user message; DeepSeek-distilled ones a single user message.
 *   <li>Render the messages with the checkpoint's chat template, ending with the assistant header.
 *   <li>Tokenize without adding special tokens (the template already wrote them).
 *   <li>Generate greedily with the KV cache until the tokenizer's eos, streaming the text.
 *   <li>Parse the verdict as RM-R1's evaluation does: exactly one of [[A]] / [[B]] anywhere in the output.
 * </ol>
 *
 * <pre>java ... dev.rmr1.examples.JudgeOnePair MODEL_DIR QUESTION ANSWER_A ANSWER_B [instruct|reasoning]</pre>
 * e.g. with a downloaded gaotang/RM-R1-Qwen2.5-Instruct-7B snapshot directory.
 */
public final class JudgeOnePair {
  private JudgeOnePair() {}

  /** Judges the pair, printing each step to {@code out}; returns the parsed verdict. */
  public static EvalVerdict run(Path modelDir, PretrainedTokenizer tokenizer, JudgePrompts prompts, PromptFormat format, String question,
      String answerA, String answerB, int maxNewTokens, PrintStream out) {
    List<ChatMessage> messages = new JudgePromptBuilder(prompts, format).build(PreferencePair.singleTurn(question, answerA, answerB), Slot.A);
    List<Map<String, String>> maps = new ArrayList<>();
    for (ChatMessage m : messages) maps.add(Map.of("role", m.role(), "content", m.content()));
    String rendered = tokenizer.applyChatTemplate(maps, true);
    int[] ids = tokenizer.tokenizer().encode(rendered, false);
    out.println("== 1-3. the rendered judge prompt (" + rendered.length() + " characters, " + ids.length + " tokens):");
    out.println(rendered);
    String eosText = tokenizer.specialTokens().get("eos_token");
    if (eosText == null) throw new IllegalArgumentException("the tokenizer has no eos_token (tokenizer_config.json) to stop at");
    int eos = tokenizer.tokenizer().tokenToId(eosText);
    out.println("== 4. greedy generation, stopping at " + eosText + ":");
    Generation g;
    try (CausalLM model = CausalLM.load(modelDir, LoadOptions.inference())) {
      GenerationOptions options = GenerationOptions.of(maxNewTokens).withEos(Set.of(eos)).withDecoder(t -> tokenizer.tokenizer().decode(t, false));
      GenerationListener stream = new GenerationListener() {
        @Override
        public void onToken(int sequence, int token, String text) {
          out.print(text);
        }

        @Override
        public void onFinish(int sequence, String tail, Generation generation) {
          out.print(tail);
        }
      };
      g = new Generator(model).generate(List.of(new GenerationRequest(ids, SamplingParams.GREEDY, 0)), options, stream).generations().get(0);
    }
    out.println();
    EvalVerdict v = EvalVerdict.parse(g.text());
    out.println("== 5. " + g.tokens().length + " tokens (" + g.finishReason() + "); verdict: " + v);
    return v;
  }

  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: JudgeOnePair MODEL_DIR QUESTION ANSWER_A ANSWER_B [instruct|reasoning]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    PromptFormat format = args.length > 4 ? PromptFormat.parse(args[4]) : PromptFormat.INSTRUCT;
    run(dir, PretrainedTokenizer.load(dir), JudgePrompts.bundled(), format, args[1], args[2], args[3], 4096, System.out);
  }
}

package dev.rmr1.examples;

import dev.rmr1.autograd.Grad;
import dev.rmr1.models.generate.Generation;
import dev.rmr1.models.generate.GenerationOptions;
import dev.rmr1.models.generate.GenerationRequest;
import dev.rmr1.models.generate.Generator;
import dev.rmr1.models.generate.SamplingParams;
import dev.rmr1.nn.Lora;
import dev.rmr1.nn.LoraConfig;
import dev.rmr1.nn.optim.AdamW;
import dev.rmr1.nn.optim.GradClip;
import dev.rmr1.nn.optim.OptimParam;
import dev.rmr1.nn.optim.ParamGroup;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tokenizers.PretrainedTokenizer;
import dev.rmr1.training.data.RlvrRecord;
import dev.rmr1.training.demo.ArithmeticPairs;
import dev.rmr1.training.demo.DemoData;
import dev.rmr1.training.demo.TeacherTraces;
import dev.rmr1.training.grpo.AggregationTotals;
import dev.rmr1.training.grpo.Completion;
import dev.rmr1.training.grpo.GrpoLoss;
import dev.rmr1.training.grpo.ResponseBatch;
import dev.rmr1.training.grpo.ScoredRollouts;
import dev.rmr1.training.judge.PretrainedChat;
import dev.rmr1.training.reward.VerdictReward;
import dev.rmr1.training.sft.TrainableModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Example 5: one GRPO step of RM-R1, with every intermediate value printed (spec 6).
 *
 * <ol>
 *   <li>Rollout: the judge prompt of one arithmetic pair, G responses sampled at temperature 1 from the policy (the
 *       checkpoint with fresh LoRA adapters, so it starts equal to the reference: the base with adapters off).
 *   <li>Reward (RM-R1's rule): +1 iff the last 80 characters hold {@code <answer>[[X]]</answer>} for the labelled X
 *       and not the other tag, else -1. An untrained model earns -1 everywhere, and a group whose rewards are all equal
 *       has zero advantages: it teaches nothing. So that the step has something to learn from, this example adds the
 *       teacher's trace to the group as one more response (a demonstration; real GRPO only samples).
 *   <li>Advantages: (r - group mean) / (unbiased group std + 1e-6), one per response, applied to all its tokens.
 *   <li>Log-probs of every response token under the policy (with gradients), the old policy (the same weights before
 *       the update: ratio 1 on this first update) and the reference (adapters off).
 *   <li>Per-token loss {@code max(-A rho, -A clip(rho, 0.8, 1.2)) + beta k3(ref, policy)}, token mean, backward,
 *       clip, one AdamW step; the demonstration's log-prob rises and the sampled ones' fall.
 * </ol>
 *
 * <pre>java ... dev.rmr1.examples.GrpoStepExplained MODEL_DIR [TOKENIZER_DIR]</pre>
 */
public final class GrpoStepExplained {
  /** Mean token log-prob of each response before and after the step, and what the step computed. */
  public record Result(double[] rewards, double[] advantages, double[] before, double[] after, double loss) {}

  private GrpoStepExplained() {}

  public static Result run(Path modelDir, PretrainedTokenizer tokenizer, int group, int maxNewTokens, long seed, PrintStream out) {
    PretrainedChat chat = new PretrainedChat(tokenizer);
    int eos = tokenizer.tokenizer().tokenToId(tokenizer.specialTokens().get("eos_token"));
    ArithmeticPairs.Pair pair = DemoData.generate(seed, 0, 1, 0, 9, 0.2).grpoPairs().get(0);
    RlvrRecord record = new DemoData(List.of(), List.of(pair), List.of()).rlvrRecords().get(0);
    int[] prompt = chat.encode(chat.render(record.contextMessages(), true));
    out.println("== prompt (" + prompt.length + " tokens), label " + record.winner().winnerLabel() + ":\n" + chat.render(record.contextMessages(), true));

    try (TrainableModel policy = TrainableModel.load(modelDir, Device.CPU, new LoraConfig(4, 8, 0.0, false, List.of(LoraConfig.ALL_LINEAR)),
        new Rng(seed))) {
      // 1. rollout
      List<GenerationRequest> requests = new ArrayList<>();
      for (int i = 0; i < group - 1; i++) requests.add(new GenerationRequest(prompt, SamplingParams.temperature(1.0), seed * 31 + i));
      List<Completion> completions = new ArrayList<>();
      for (Generation g : new Generator(policy.model()).generate(requests, GenerationOptions.of(maxNewTokens).withEos(Set.of(eos))).generations()) {
        completions.add(Completion.of(g.tokens(), eos));
      }
      completions.add(Completion.of(chat.encode(TeacherTraces.trace(pair, record.winner() == dev.rmr1.training.data.Slot.A) + tokenizer.specialTokens().get("eos_token")), eos));

      // 2-3. rewards and advantages
      List<int[]> prompts = List.of(prompt);
      ScoredRollouts scored = ScoredRollouts.score(prompts, List.of(record.winner().winnerLabel()), group, completions, chat, new VerdictReward(), true);
      for (int i = 0; i < group; i++) {
        out.printf(Locale.ROOT, "== response %d%s (%d tokens%s): reward %+.0f, advantage %+.4f%n%s%n", i, i == group - 1 ? " [teacher demonstration]" : "",
            completions.get(i).length(), completions.get(i).terminated() ? ", ended by eos" : ", cut at max new tokens", scored.rewards()[i],
            scored.advantages()[i], scored.texts().get(i));
      }

      // 4. log-probs: old (= current weights, no graph) and reference (adapters off)
      List<int[]> responses = completions.stream().map(Completion::tokens).toList();
      List<int[]> rowsPrompt = new ArrayList<>();
      for (int i = 0; i < group; i++) rowsPrompt.add(prompt);
      ResponseBatch batch = ResponseBatch.of(rowsPrompt, responses, eos);
      double[] before, after;
      double lossValue;
      try (TensorScope scope = TensorScope.open()) {
        Tensor mask = batch.mask(Device.CPU, DType.F32); // (G, L)
        Tensor old, ref;
        try (Grad.Guard g = Grad.disabled()) {
          old = batch.score(policy.model(), 1.0, false, false).logProbs().data();
          try (AutoCloseable off = Lora.disabled(policy.model())) {
            ref = batch.score(policy.model(), 1.0, false, false).logProbs().data();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
        before = meanPerRow(old, mask);
        out.println("== mean token log-prob per response, old policy: " + fmt(before) + "; reference: " + fmt(meanPerRow(ref, mask)));

        // 5. the loss, its gradient and one optimizer step
        var logp = batch.score(policy.model(), 1.0, false, false).logProbs();
        Tensor adv = Tensor.of(Device.CPU, DType.F32, scored.advantages(), group);
        GrpoLoss lossFn = GrpoLoss.rmR1();
        GrpoLoss.Result r = lossFn.compute(logp, old, ref, adv, mask, null, AggregationTotals.of(mask, maxNewTokens), 1.0);
        lossValue = r.loss().item();
        out.printf(Locale.ROOT, "== loss %.6f = pg %.6f + beta %.0e x kl %.6f; clipped tokens %.0f of %.0f (ratio is 1 on the first update)%n", lossValue,
            r.pgLoss(), lossFn.klBeta(), r.klLoss(), r.clippedTokens(), r.tokens());
        r.loss().backward();
        List<OptimParam> params = policy.optimParams();
        try (AdamW opt = new AdamW(List.of(new ParamGroup("lora", params, 1e-2, 0.01)), 0.9, 0.999, 1e-8)) {
          double norm = GradClip.clipGradNorm(params, 1.0);
          opt.step();
          out.printf(Locale.ROOT, "== gradient norm %.4f (clipped to 1), one AdamW step on %d LoRA tensors%n", norm, params.size());
        }
        policy.clearGrads();
        try (Grad.Guard g = Grad.disabled()) {
          after = meanPerRow(batch.score(policy.model(), 1.0, false, false).logProbs().data(), mask);
        }
        out.println("== mean token log-prob per response after the step: " + fmt(after));
      }
      return new Result(scored.rewards(), scored.advantages(), before, after, lossValue);
    }
  }

  private static double[] meanPerRow(Tensor values, Tensor mask) {
    int n = values.size(0), l = values.size(1);
    double[] v = values.toDoubleArray(), m = mask.toDoubleArray(), out = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0, c = 0;
      for (int t = 0; t < l; t++) {
        s += v[i * l + t] * m[i * l + t];
        c += m[i * l + t];
      }
      out[i] = s / c;
    }
    return out;
  }

  private static String fmt(double[] xs) {
    return Arrays.stream(xs).mapToObj(x -> String.format(Locale.ROOT, "%.4f", x)).toList().toString();
  }

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: GrpoStepExplained MODEL_DIR [TOKENIZER_DIR]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    run(dir, PretrainedTokenizer.load(args.length > 1 ? Path.of(args[1]) : dir), 7, 48, 0, System.out);
  }
}

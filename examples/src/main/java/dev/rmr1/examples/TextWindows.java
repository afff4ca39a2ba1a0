package dev.rmr1.examples;

import dev.rmr1.autograd.Var;
import dev.rmr1.models.CausalLM;
import dev.rmr1.nn.optim.AdamW;
import dev.rmr1.nn.optim.GradClip;
import dev.rmr1.nn.optim.OptimParam;
import dev.rmr1.nn.optim.ParamGroup;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The language-modelling loop the examples share: each step draws {@code batch} random windows of {@code window}
 * tokens from a token stream, takes the causal-LM loss (predict token t+1 from tokens up to t), back-propagates,
 * clips the gradient norm to 1 and takes one AdamW step on {@code params}.
 */
final class TextWindows {
  private TextWindows() {}

  /** Trains and returns the loss of every step, printing each to {@code out}. */
  static double[] train(CausalLM model, List<OptimParam> params, int[] ids, int steps, int batch, int window, double lr, Rng rng,
      PrintStream out) {
    if (ids.length < window) throw new IllegalArgumentException("the text has " + ids.length + " tokens, fewer than one window of " + window);
    int vocab = model.config().vocabSize();
    for (int id : ids) {
      if (id >= vocab) throw new IllegalArgumentException("token id " + id + " is outside the model's vocabulary of " + vocab);
    }
    double[] losses = new double[steps];
    try (AdamW opt = new AdamW(List.of(new ParamGroup("trainable", params, lr, 0.0)))) {
      for (int step = 0; step < steps; step++) {
        try (TensorScope scope = TensorScope.open()) {
          long[] rows = new long[batch * window];
          for (int b = 0; b < batch; b++) {
            int start = rng.nextInt(ids.length - window + 1);
            for (int t = 0; t < window; t++) rows[b * window + t] = ids[start + t];
          }
          Tensor x = Tensor.ofLongs(rows, batch, window); // (B, T); labels = inputs, the loss shifts them
          Var loss = model.loss(x, x);
          loss.backward();
          double norm = GradClip.clipGradNorm(params, 1.0);
          opt.step();
          model.clearGrads();
          losses[step] = loss.item();
          out.printf(Locale.ROOT, "step %3d  loss %.4f  grad norm %.3f%n", step + 1, losses[step], norm);
        }
      }
    }
    return losses;
  }
}

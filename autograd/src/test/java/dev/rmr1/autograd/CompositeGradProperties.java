package dev.rmr1.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.autograd.GradCheck.Input;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Whole expressions (an MLP, a transformer block, PPO's clipped objective) and checkpointing. */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class CompositeGradProperties {

  @Property(tries = 10)
  void tinyMlp(@ForAll @IntRange(min = 1, max = 3) int batch, @ForAll long seed) {
    Rng rng = new Rng(seed);
    GradCheck.check("mlp", v -> {
      Var h = v.get(0).matmul(v.get(1).transpose(0, 1)).add(v.get(2)).tanh();
      return h.matmul(v.get(3)).sigmoid().mean(0, false);
    }, Input.of(rng, batch, 3), Input.of(rng, 4, 3), Input.of(rng, 4), Input.of(rng, 4, 2));
  }

  /** One pre-norm transformer block: rmsNorm, GQA attention with rope, residual, SwiGLU, residual. */
  static Var block(List<Var> v, Tensor cos, Tensor sin) {
    Var x = v.get(0), wq = v.get(1), wk = v.get(2), wo = v.get(3), gate = v.get(4), up = v.get(5), down = v.get(6), norm = v.get(7);
    int b = x.size(0), t = x.size(1);
    Var h = x.rmsNorm(norm, 1e-6);
    Var q = h.matmul(wq.transpose(0, 1)).reshape(b, t, 2, 2).transpose(1, 2).rope(cos, sin);
    Var k = h.matmul(wk.transpose(0, 1)).reshape(b, t, 1, 2).transpose(1, 2).rope(cos, sin);
    Var a = Var.attention(q, k, k, 1 / Math.sqrt(2)).transpose(1, 2).reshape(b, t, 4);
    Var r = x.add(a.matmul(wo.transpose(0, 1)));
    Var m = r.rmsNorm(norm, 1e-6);
    return r.add(m.matmul(gate.transpose(0, 1)).silu().mul(m.matmul(up.transpose(0, 1))).matmul(down.transpose(0, 1)));
  }

  static Input[] blockInputs(Rng rng, int b, int t) {
    return new Input[] {Input.of(rng, b, t, 4), Input.of(rng, 4, 4), Input.of(rng, 2, 4), Input.of(rng, 4, 4),
        Input.of(rng, 5, 4), Input.of(rng, 5, 4), Input.of(rng, 4, 5), Input.uniform(rng, 0.5, 1.5, 4)};
  }

  @Property(tries = 5)
  void transformerBlock(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 3) int t, @ForAll long seed) {
    try (TensorScope s = TensorScope.open()) {
      Tensor[] cs = NeuralOpGradProperties.ropeTables(t, 2, 0);
      GradCheck.check("transformer block", v -> block(v, cs[0], cs[1]), blockInputs(new Rng(seed), b, t));
    }
  }

  @Property(tries = 5)
  void checkpointedBlockGivesTheSameGradients(@ForAll @IntRange(min = 1, max = 3) int t, @ForAll long seed) {
    try (TensorScope s = TensorScope.open()) {
      Tensor[] cs = NeuralOpGradProperties.ropeTables(t, 2, 0);
      Function<List<Var>, Var> plain = v -> block(v, cs[0], cs[1]).square().sum(-1, false);
      // two checkpointed blocks in a row, the weights captured rather than passed
      Function<List<Var>, Var> checkpointed = v -> {
        Function<Var, Var> layer = x -> block(List.of(x, v.get(1), v.get(2), v.get(3), v.get(4), v.get(5), v.get(6), v.get(7)), cs[0], cs[1]);
        Var once = Checkpoint.apply(layer, v.get(0));
        return Checkpoint.apply(layer, once).square().sum(-1, false);
      };
      Function<List<Var>, Var> twice = v -> {
        Var once = block(v, cs[0], cs[1]);
        return block(List.of(once, v.get(1), v.get(2), v.get(3), v.get(4), v.get(5), v.get(6), v.get(7)), cs[0], cs[1]).square().sum(-1, false);
      };
      Input[] in = blockInputs(new Rng(seed), 1, t);
      GradCheck.assertSame("two checkpointed layers", checkpointed, twice, 1e-12, in);
      GradCheck.check("checkpointed layer", v -> Checkpoint.apply(x -> plain.apply(List.of(x, v.get(1), v.get(2), v.get(3), v.get(4), v.get(5), v.get(6), v.get(7))), v.get(0)), in);
    }
  }

  @Example
  void checkpointReplaysRandomDraws() {
    try (TensorScope s = TensorScope.open()) {
      RandomState.seed(5);
      Var x = Var.leaf(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 6));
      Function<Var, Var> dropout = v -> {
        Tensor mask = Tensor.uniform(Device.CPU, DType.F64, RandomState.current(), 0, 1, 6).gt(0.5);
        Tensor keep = mask.to(DType.F64);
        return v.mul(Var.constant(keep)).mul(2);
      };
      Var y = Checkpoint.apply(dropout, x);
      double[] forward = y.data().toDoubleArray();
      y.sum().backward();
      double[] g = x.grad().toDoubleArray();
      for (int i = 0; i < 6; i++) assertTrue(forward[i] == 2 * (i + 1) ? g[i] == 2 : g[i] == 0 && forward[i] == 0, "element " + i);
      x.clearGrad();
    }
  }

  @Example
  void checkpointDetectsCapturedIntermediates() {
    try (TensorScope s = TensorScope.open()) {
      Var w = Var.leaf(Tensor.of(new double[] {1, 2}, 2));
      Var outside = w.mul(3);
      Var x = Var.constant(Tensor.of(new double[] {1, 1}, 2));
      Var y = Checkpoint.apply(v -> v.mul(outside), x);
      assertTrue(y.requiresGrad(), "a captured value requiring grad makes the output require grad");
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
      assertTrue(e.getMessage().contains("pass such values as inputs"), e.getMessage());
      Var z = Checkpoint.apply(v -> v.get(0).mul(v.get(1)), List.of(x, outside));
      z.sum().backward();
      assertArrayEquals(new double[] {3, 3}, w.grad().toDoubleArray());
      w.clearGrad();
      Var frozen = Checkpoint.apply(v -> v.mul(2), x);
      assertFalse(frozen.requiresGrad());
    }
  }

  @Property(tries = 10)
  void ppoClippedObjectiveWithKl(@ForAll @IntRange(min = 1, max = 6) int n, @ForAll long seed) {
    Rng rng = new Rng(seed);
    // logp, old logp, ref logp, advantages: -min(r A, clip(r) A) + beta (exp(d) - d - 1), d = ref - logp
    Input logp = Input.uniform(rng, -2, 0, n), old = Input.uniform(rng, -2, 0, n), ref = Input.uniform(rng, -2, 0, n), adv = Input.of(rng, n);
    double[] lp = logp.values(), ol = old.values();
    for (int i = 0; i < n; i++) {
      // keep the ratio away from the clip bounds, where the objective has kinks
      double r = Math.exp(lp[i] - ol[i]);
      if (Math.abs(r - 0.8) < 1e-3 || Math.abs(r - 1.2) < 1e-3) lp[i] += 0.01;
    }
    GradCheck.check("ppo", v -> {
      Var ratio = v.get(0).sub(v.get(1)).exp();
      Var a = v.get(3);
      Var pg = ratio.mul(a).neg().maximum(ratio.clamp(0.8, 1.2).mul(a).neg());
      Var d = v.get(2).sub(v.get(0));
      Var kl = d.exp().sub(d).sub(1).clamp(-10, 10);
      return pg.add(kl.mul(0.04));
    }, logp, old.frozen(), ref.frozen(), adv.frozen());
  }
}

package dev.rmr1.examples;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.Locale;
import java.util.function.Function;

/**
 * Example 1: check an op's backward against finite differences.
 *
 * <p>Autograd computes d loss / d x with each op's hand-written backward. To test one, reduce the op's output to a
 * scalar with fixed random weights c ({@code loss = sum(op(x) * c)}, so every output element matters), then compare
 * the analytic gradient with the central difference {@code (loss(x + h e_i) - loss(x - h e_i)) / 2h} for every
 * element i. In F64 with h = 1e-6 the two agree to about 1e-8; a wrong backward is off by O(1).
 *
 * <pre>./rmr1-example GradientCheck      (or: java ... dev.rmr1.examples.GradientCheck)</pre>
 */
public final class GradientCheck {
  private static final double H = 1e-6;

  private GradientCheck() {}

  /** The largest |analytic - numeric| / max(1, |numeric|) over the elements of an F64 input x. */
  public static double maxError(Function<Var, Var> op, Tensor x, Rng rng) {
    try (TensorScope scope = TensorScope.open()) {
      Var probe = op.apply(Var.constant(x));
      Tensor c = Tensor.normal(Device.CPU, DType.F64, rng, 0, 1, probe.shape()); // fixed weights of the outputs
      Var leaf = Var.leaf(x.copy());
      op.apply(leaf).mul(Var.constant(c)).sum().backward();
      double[] analytic = leaf.grad().toDoubleArray();
      double[] base = x.toDoubleArray();
      double worst = 0;
      for (int i = 0; i < base.length; i++) {
        double plus = loss(op, base, i, +H, x.shape(), c);
        double minus = loss(op, base, i, -H, x.shape(), c);
        double numeric = (plus - minus) / (2 * H);
        worst = Math.max(worst, Math.abs(analytic[i] - numeric) / Math.max(1, Math.abs(numeric)));
      }
      return worst;
    }
  }

  private static double loss(Function<Var, Var> op, double[] base, int i, double h, int[] shape, Tensor c) {
    double[] moved = base.clone();
    moved[i] += h;
    try (TensorScope scope = TensorScope.open()) {
      return op.apply(Var.constant(Tensor.of(moved, shape))).mul(Var.constant(c)).sum().item();
    }
  }

  public static void main(String[] args) {
    Rng rng = new Rng(args.length > 0 ? Long.parseLong(args[0]) : 0);
    Tensor x = Tensor.normal(Device.CPU, DType.F64, rng, 0, 1, 3, 5); // (B=3, C=5)
    Tensor w = Tensor.normal(Device.CPU, DType.F64, rng, 0, 1, 5, 4); // (C=5, D=4)
    report("softmax(x, -1)", maxError(v -> v.softmax(-1), x, rng));
    report("silu(x)", maxError(Var::silu, x, rng));
    report("x @ w", maxError(v -> v.matmul(Var.constant(w)), x, rng));
    report("logsumexp(x, -1)", maxError(v -> v.logsumexp(-1, false), x, rng));
    // a deliberately wrong "op": the gradient of x*x is 2x, but detaching one factor makes autograd see only x
    report("x * detach(x)  (wrong on purpose)", maxError(v -> v.mul(v.detach()), x, rng));
  }

  private static void report(String name, double err) {
    System.out.printf(Locale.ROOT, "%-36s max relative error %.2e  %s%n", name, err, err < 1e-6 ? "OK" : "MISMATCH");
  }
}

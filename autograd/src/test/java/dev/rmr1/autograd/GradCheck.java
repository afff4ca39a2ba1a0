package dev.rmr1.autograd;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Gradient check in F64: the gradients of L = sum(f(inputs) * W), W a fixed random tensor, from
 * backward against central finite differences (L(x + h) - L(x - h)) / 2h for every input element.
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
public final class GradCheck {
  private static final double H = 1e-6;

  private GradCheck() {}

  /** An input: its shape and values, and whether it requires a gradient. */
  public record Input(int[] shape, double[] values, boolean requiresGrad) {
    public static Input of(Rng rng, int... shape) {
      return uniform(rng, -1, 1, shape);
    }

    public static Input uniform(Rng rng, double lo, double hi, int... shape) {
      double[] v = new double[Math.toIntExact(Tensor.numel(shape))];
      for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rng.nextDouble();
      return new Input(shape, v, true);
    }

    public Input frozen() {
      return new Input(shape, values, false);
    }

    Tensor tensor(double[] vals) {
      return Tensor.of(Device.CPU, DType.F64, vals, shape);
    }
  }

  public static void check(String what, Function<List<Var>, Var> f, Input... inputs) {
    check(what, f, 1e-6, inputs);
  }

  public static void check(String what, Function<List<Var>, Var> f, double tol, Input... inputs) {
    try (TensorScope scope = TensorScope.open()) {
      List<Var> vars = new ArrayList<>();
      for (Input in : inputs) vars.add(Var.leaf(in.tensor(in.values), in.requiresGrad));
      Var y = f.apply(vars);
      Rng wr = new Rng(Arrays.hashCode(y.shape()) * 31L + 7);
      double[] w = new double[Math.toIntExact(y.numel())];
      for (int i = 0; i < w.length; i++) w[i] = wr.nextDouble() * 2 - 1;
      Tensor weights = Tensor.of(Device.CPU, DType.F64, w, y.shape());
      Var loss = y.mul(Var.constant(weights)).sum();
      loss.backward();
      for (int i = 0; i < inputs.length; i++) {
        Input in = inputs[i];
        if (!in.requiresGrad) continue;
        Tensor g = vars.get(i).grad();
        double[] analytic = g == null ? new double[in.values.length] : g.toDoubleArray();
        vars.get(i).clearGrad();
        for (int j = 0; j < in.values.length; j++) {
          double plus = evaluate(f, inputs, i, j, H, weights);
          double minus = evaluate(f, inputs, i, j, -H, weights);
          double numeric = (plus - minus) / (2 * H);
          if (!(Math.abs(analytic[j] - numeric) <= tol * (1 + Math.abs(numeric))))
            fail(what + ": d/d input " + i + " " + Arrays.toString(in.shape) + " element " + j + ": backward " + analytic[j]
                + " vs finite difference " + numeric);
        }
      }
    }
  }

  /**
   * Asserts that two formulations of the same function (a fused operation and its composition from
   * primitives) give the same values and the same backward gradients.
   */
  public static void assertSame(String what, Function<List<Var>, Var> f, Function<List<Var>, Var> reference, double tol, Input... inputs) {
    double[][] a = valueAndGradients(f, inputs), b = valueAndGradients(reference, inputs);
    for (int i = 0; i < a.length; i++)
      for (int j = 0; j < a[i].length; j++)
        if (!(Math.abs(a[i][j] - b[i][j]) <= tol * (1 + Math.abs(b[i][j]))) && !(Double.isNaN(a[i][j]) && Double.isNaN(b[i][j])))
          fail(what + ": " + (i == 0 ? "value" : "gradient of input " + (i - 1)) + " element " + j + ": " + a[i][j] + " vs reference " + b[i][j]);
  }

  /** {values of f, gradient of sum(f * W) for each input}. */
  private static double[][] valueAndGradients(Function<List<Var>, Var> f, Input... inputs) {
    try (TensorScope scope = TensorScope.open()) {
      List<Var> vars = new ArrayList<>();
      for (Input in : inputs) vars.add(Var.leaf(in.tensor(in.values), in.requiresGrad));
      Var y = f.apply(vars);
      Rng wr = new Rng(Arrays.hashCode(y.shape()) * 31L + 7);
      double[] w = new double[Math.toIntExact(y.numel())];
      for (int i = 0; i < w.length; i++) w[i] = wr.nextDouble() * 2 - 1;
      double[][] r = new double[inputs.length + 1][];
      r[0] = y.data().toDoubleArray();
      y.mul(Var.constant(Tensor.of(Device.CPU, DType.F64, w, y.shape()))).sum().backward();
      for (int i = 0; i < inputs.length; i++) {
        Tensor g = vars.get(i).grad();
        r[i + 1] = g == null ? new double[inputs[i].values.length] : g.toDoubleArray();
        vars.get(i).clearGrad();
      }
      return r;
    }
  }

  private static double evaluate(Function<List<Var>, Var> f, Input[] inputs, int which, int element, double delta, Tensor weights) {
    try (TensorScope scope = TensorScope.open(); Grad.Guard g = Grad.disabled()) {
      List<Var> vars = new ArrayList<>();
      for (int i = 0; i < inputs.length; i++) {
        double[] v = inputs[i].values.clone();
        if (i == which) v[element] += delta;
        vars.add(Var.constant(inputs[i].tensor(v)));
      }
      Var y = f.apply(vars);
      assertNotNull(y);
      try (Tensor p = y.data().mul(weights); Tensor s = p.sum()) {
        return s.item();
      }
    }
  }
}

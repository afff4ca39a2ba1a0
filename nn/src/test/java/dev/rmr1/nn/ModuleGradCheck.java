package dev.rmr1.nn;

import static org.junit.jupiter.api.Assertions.fail;

import dev.rmr1.autograd.Grad;
import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.Map;
import java.util.function.Function;

/**
 * Gradient check through a module in F64: gradients of L = sum(f(x) * W) with respect to the input
 * and every trainable parameter, from backward, against central finite differences that perturb
 * the parameter values in place.
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
final class ModuleGradCheck {
  private static final double H = 1e-6, TOL = 1e-6;

  private ModuleGradCheck() {}

  static void check(String what, Module module, Function<Var, Var> f, int[] inputShape, long seed) {
    Rng rng = new Rng(seed);
    double[] x = new double[Math.toIntExact(Tensor.numel(inputShape))];
    for (int i = 0; i < x.length; i++) x[i] = rng.nextDouble() * 2 - 1;
    try (TensorScope scope = TensorScope.open()) {
      Var in = Var.leaf(Tensor.of(x, inputShape));
      Var y = f.apply(in);
      double[] w = new double[Math.toIntExact(y.numel())];
      for (int i = 0; i < w.length; i++) w[i] = rng.nextDouble() * 2 - 1;
      Tensor weights = Tensor.of(w, y.shape());
      module.clearGrads();
      y.mul(Var.constant(weights)).sum().backward();
      double[] gx = in.grad().toDoubleArray();
      in.clearGrad();
      for (int j = 0; j < x.length; j++) {
        double[] xp = x.clone(), xm = x.clone();
        xp[j] += H;
        xm[j] -= H;
        compare(what + ": input element " + j, gx[j], (loss(f, xp, inputShape, weights) - loss(f, xm, inputShape, weights)) / (2 * H));
      }
      for (Map.Entry<String, Parameter> e : module.namedParameters().entrySet()) {
        Parameter p = e.getValue();
        if (!p.requiresGrad()) continue;
        double[] g = p.grad() == null ? new double[Math.toIntExact(p.value().numel())] : p.grad().toDoubleArray();
        double[] v = p.value().toDoubleArray();
        for (int j = 0; j < v.length; j++) {
          set(p, j, v[j] + H);
          double plus = loss(f, x, inputShape, weights);
          set(p, j, v[j] - H);
          double minus = loss(f, x, inputShape, weights);
          set(p, j, v[j]);
          compare(what + ": " + e.getKey() + " element " + j, g[j], (plus - minus) / (2 * H));
        }
      }
      module.clearGrads();
    }
  }

  private static void compare(String what, double analytic, double numeric) {
    if (!(Math.abs(analytic - numeric) <= TOL * (1 + Math.abs(numeric))))
      fail(what + ": backward " + analytic + " vs finite difference " + numeric);
  }

  private static void set(Parameter p, int element, double value) {
    try (Tensor flat = p.value().view(-1); Tensor one = flat.narrow(0, element, 1)) {
      one.fill(value);
    }
  }

  private static double loss(Function<Var, Var> f, double[] x, int[] shape, Tensor weights) {
    try (TensorScope s = TensorScope.open(); Grad.Guard g = Grad.disabled()) {
      Var y = f.apply(Var.constant(Tensor.of(Device.CPU, DType.F64, x, shape)));
      try (Tensor p = y.data().mul(weights); Tensor sum = p.sum()) {
        return sum.item();
      }
    }
  }

  /** Random F64 values in every parameter (biases and norm weights included). */
  static void randomize(Module m, Rng rng) {
    for (Parameter p : m.namedParameters().values()) Init.uniform(p, rng, -0.8, 0.8);
  }
}

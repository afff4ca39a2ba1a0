package dev.rmr1.nn.optim;

import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.FusedAdamW;
import dev.rmr1.tensor.Tensor;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay, as {@code torch.optim.AdamW} (single-tensor path of
 * {@code torch/optim/adam.py}, amsgrad and maximize off). Per parameter, at its t-th update with
 * learning rate lr and group weight decay wd:
 *
 * <pre>
 * p   = p * (1 - lr*wd)                      (decoupled decay, before the Adam update)
 * m   = lerp(m, g, 1 - beta1)                (= beta1 m + (1 - beta1) g)
 * v   = v * beta2 + (1 - beta2) * g * g
 * p   = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * The bias corrections and step size are computed in double (Python floats in PyTorch); the tensor
 * arithmetic runs in the parameter's dtype (F32 for master weights). Dense F32 parameters on the CPU
 * use a fused one-pass kernel whose float operations are exactly those of the composed tensor path
 * (bit-identical results, tested); every other case takes the composed path.
 */
public final class AdamW extends Optimizer {
  private final double beta1, beta2, eps;
  private final Tensor[] expAvg, expAvgSq;
  /** Updates applied to each parameter (PyTorch's per-parameter {@code state['step']}). */
  private final long[] steps;

  /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8 (weight decay is per group). */
  public AdamW(List<ParamGroup> groups) {
    this(groups, 0.9, 0.999, 1e-8);
  }

  public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
    super("AdamW", groups);
    if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("AdamW: invalid beta1 " + beta1 + " (need 0 <= beta1 < 1)");
    if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("AdamW: invalid beta2 " + beta2 + " (need 0 <= beta2 < 1)");
    if (!(eps >= 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("AdamW: invalid eps " + eps);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    int n = params().size();
    expAvg = new Tensor[n];
    expAvgSq = new Tensor[n];
    steps = new long[n];
    try {
      for (int i = 0; i < n; i++) {
        Tensor p = params().get(i).value();
        expAvg[i] = Tensor.zeros(p.device(), p.dtype(), p.shape());
        expAvgSq[i] = Tensor.zeros(p.device(), p.dtype(), p.shape());
      }
    } catch (RuntimeException | Error e) {
      closeState();
      throw e;
    }
  }

  /** The scalars of one update, computed in double as PyTorch computes them in Python. */
  record Coefficients(boolean decay, double decayFactor, double lerpWeight, double beta2, double gradSqWeight,
      double biasCorrection2Sqrt, double eps, double negStepSize) {}

  static Coefficients coefficients(double beta1, double beta2, double eps, long step, double lr, double weightDecay) {
    double bc1 = 1 - Math.pow(beta1, step);
    double bc2 = 1 - Math.pow(beta2, step);
    return new Coefficients(weightDecay != 0, 1 - lr * weightDecay, 1 - beta1, beta2, 1 - beta2, Math.sqrt(bc2), eps, -(lr / bc1));
  }

  @Override
  void update(int i, Tensor p, Tensor g, double lr, double weightDecay) {
    checkStateAlive(expAvg[i], i);
    checkStateAlive(expAvgSq[i], i);
    Coefficients c = coefficients(beta1, beta2, eps, ++steps[i], lr, weightDecay);
    Tensor m = expAvg[i], v = expAvgSq[i];
    if (CpuKernels.denseCpuF32(p, g, m, v)) CpuKernels.adamW(p, g, m, v, c);
    else if (p.backend() instanceof FusedAdamW fused && denseF32(p, g, m, v))
      fused.adamW(p, g, m, v, c.decay(), c.decayFactor(), c.lerpWeight(), c.beta2(), c.gradSqWeight(), c.biasCorrection2Sqrt(), c.eps(), c.negStepSize());
    else composedUpdate(p, g, m, v, c);
  }

  private static boolean denseF32(Tensor... ts) {
    for (Tensor t : ts) if (t.dtype() != DType.F32 || !t.isContiguous() || !t.device().equals(ts[0].device())) return false;
    return true;
  }

  /**
   * The update as tensor operations, in the order of PyTorch's {@code _single_tensor_adam}; the
   * reference for the fused kernel and the path for every device and dtype.
   */
  static void composedUpdate(Tensor p, Tensor g, Tensor m, Tensor v, Coefficients c) {
    if (c.decay()) p.mulInPlace(c.decayFactor());
    // exp_avg.lerp_(grad, w): ATen's lerp is self + w (end - self) for |w| < 0.5, else end - (end - self)(1 - w).
    try (Tensor diff = g.sub(m)) {
      if (Math.abs(c.lerpWeight()) < 0.5) {
        m.addInPlace(diff.mulInPlace(c.lerpWeight()));
      } else {
        try (Tensor r = g.sub(diff.mulInPlace(1 - c.lerpWeight()))) {
          m.copyFrom(r);
        }
      }
    }
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    v.mulInPlace(c.beta2());
    try (Tensor gg = g.mul(c.gradSqWeight())) {
      v.addInPlace(gg.mulInPlace(g));
    }
    // denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps); param.addcdiv_(exp_avg, denom, value=-step_size)
    try (Tensor denom = v.sqrt()) {
      denom.applyInPlace(BinaryOp.DIV, c.biasCorrection2Sqrt()).applyInPlace(BinaryOp.ADD, c.eps());
      try (Tensor q = m.div(denom)) {
        p.addInPlace(q.mulInPlace(c.negStepSize()));
      }
    }
  }

  @Override
  Map<String, String> hyperparameters() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("beta1", Double.toString(beta1));
    h.put("beta2", Double.toString(beta2));
    h.put("eps", Double.toString(eps));
    return h;
  }

  @Override
  List<String> stateFields() {
    return List.of("step", "exp_avg", "exp_avg_sq");
  }

  @Override
  void saveParamState(StateWriter w) throws IOException {
    for (int i = 0; i < steps.length; i++) {
      OptimParam p = params().get(i);
      w.putString(key(p, "step"), Long.toString(steps[i]));
      w.putTensor(key(p, "exp_avg"), expAvg[i]);
      w.putTensor(key(p, "exp_avg_sq"), expAvgSq[i]);
    }
  }

  @Override
  void checkParamState(StateReader r) {
    for (int i = 0; i < steps.length; i++) {
      OptimParam p = params().get(i);
      parseCount(r, key(p, "step"));
      requireLike(r, key(p, "exp_avg"), expAvg[i]);
      requireLike(r, key(p, "exp_avg_sq"), expAvgSq[i]);
    }
  }

  @Override
  void loadParamState(StateReader r) {
    for (int i = 0; i < steps.length; i++) {
      OptimParam p = params().get(i);
      steps[i] = parseCount(r, key(p, "step"));
      r.read(key(p, "exp_avg"), expAvg[i]);
      r.read(key(p, "exp_avg_sq"), expAvgSq[i]);
    }
  }

  @Override
  void closeState() {
    for (Tensor[] ts : List.of(expAvg, expAvgSq))
      for (Tensor t : ts) if (t != null) t.close();
  }

  /** PyTorch's {@code state[p]['step']} of parameter {@code name}. */
  public long paramStep(String name) {
    return steps[indexOf(name)];
  }

  /** A copy of {@code exp_avg} of parameter {@code name} (the caller closes it). */
  public Tensor expAvg(String name) {
    return expAvg[indexOf(name)].copy();
  }

  /** A copy of {@code exp_avg_sq} of parameter {@code name} (the caller closes it). */
  public Tensor expAvgSq(String name) {
    return expAvgSq[indexOf(name)].copy();
  }
}

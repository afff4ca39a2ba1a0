package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;

/**
 * RMSNorm, y = w * x * r with r = 1 / sqrt(mean(x^2) + eps) over the last dim (Hugging Face
 * Qwen2RMSNorm). The forward is the fused kernel; the backward recomputes r (one reduction) rather
 * than saving it:
 *
 * <pre>
 *   n = x r,   dw = sum over rows of g * n,   dx = r * (g w - n * mean(g w * n))
 * </pre>
 */
final class RmsNormOp {
  private RmsNormOp() {}

  static Var apply(Var x, Var weight, double eps) {
    Tensor xd = x.data(), wd = weight.data();
    Tensor out = xd.rmsNorm(wd, eps);
    int c = xd.size(-1);
    return Var.op("rmsNorm", out, g -> {
      try (Tensor x2 = xd.square(); Tensor ms = x2.mean(-1, true); Tensor mse = ms.add(eps); Tensor r = mse.rsqrt(); Tensor n = xd.mul(r)) {
        Tensor gx = null, gw = null;
        if (weight.requiresGrad()) {
          try (Tensor gn = g.mul(n); Tensor rows = gn.reshape(-1, c)) {
            gw = rows.sum(0, false);
          }
        }
        if (x.requiresGrad()) {
          try (Tensor w = wd.dtype() == g.dtype() ? Grads.same(wd) : wd.to(g.dtype());
              Tensor gwx = g.mul(w); Tensor gwn = gwx.mul(n); Tensor m = gwn.mean(-1, true); Tensor nm = n.mul(m);
              Tensor d = gwx.sub(nm)) {
            gx = d.mul(r);
          }
        }
        return new Tensor[] {gx, gw};
      }
    }, x, weight);
  }
}

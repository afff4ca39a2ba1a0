package dev.rmr1.autograd;

import dev.rmr1.tensor.FusedRmsNorm;
import dev.rmr1.tensor.Tensor;

/**
 * RMSNorm, y = w * x * r with r = 1 / sqrt(mean(x^2) + eps) over the last dim (Hugging Face
 * Qwen2RMSNorm). The forward is the fused kernel; the backward recomputes r (one reduction) rather
 * than saving it:
 *
 * <pre>
 *   n = x r,   dw = sum over rows of g * n,   dx = r * (g w - n * mean(g w * n))
 * </pre>
 *
 * built in place so that at most three (..., C) buffers exist at once; a backend with
 * {@link FusedRmsNorm} computes dx and g n in one pass per row instead.
 */
final class RmsNormOp {
  private RmsNormOp() {}

  static Var apply(Var x, Var weight, double eps) {
    Tensor xd = x.data(), wd = weight.data();
    Tensor out = xd.rmsNorm(wd, eps);
    int c = xd.size(-1);
    return Var.op("rmsNorm", out, g -> {
      if (xd.backend() instanceof FusedRmsNorm fused && g.device().equals(xd.device()) && wd.device().equals(xd.device()) && g.dtype() == xd.dtype())
        return fusedBackward(fused, g, x, weight, eps);
      try (Tensor r = inverseRms(xd, eps); Tensor n = xd.mul(r)) {
        Tensor gw = null;
        if (weight.requiresGrad()) {
          try (Tensor gn = g.mul(n); Tensor rows = gn.reshape(-1, c)) {
            gw = rows.sum(0, false);
          }
        }
        Tensor gx = null;
        if (x.requiresGrad()) {
          try (Tensor w = wd.dtype() == g.dtype() ? Grads.same(wd) : wd.to(g.dtype())) {
            gx = g.mul(w);                                        // g w
            try (Tensor gwn = gx.mul(n); Tensor m = gwn.mean(-1, true)) {
              n.mulInPlace(m);                                    // n * mean(g w n)
            }
            gx.subInPlace(n);
            gx.mulInPlace(r);
          }
        }
        return new Tensor[] {gx, gw};
      }
    }, x, weight);
  }

  /** The backend's one-pass backward: dx, and g n summed over rows for the weight. */
  private static Tensor[] fusedBackward(FusedRmsNorm fused, Tensor g, Var x, Var weight, double eps) {
    Tensor xd = x.data();
    Tensor gx = x.requiresGrad() ? Tensor.empty(xd.device(), xd.dtype(), xd.shape()) : null;
    Tensor gn = weight.requiresGrad() ? Tensor.empty(xd.device(), xd.dtype(), xd.shape()) : null;
    fused.rmsNormBackward(gx, gn, g, xd, weight.data(), eps);
    Tensor gw = null;
    if (gn != null) {
      try (gn; Tensor rows = gn.reshape(-1, xd.size(-1))) {
        gw = rows.sum(0, false);
      }
    }
    return new Tensor[] {gx, gw};
  }

  /** 1 / sqrt(mean(x^2, last dim) + eps), (..., 1). */
  private static Tensor inverseRms(Tensor x, double eps) {
    try (Tensor x2 = x.square(); Tensor ms = x2.mean(-1, true); Tensor mse = ms.add(eps)) {
      return mse.rsqrt();
    }
  }
}

package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;

/** Sums, log-sum-exp, softmax and max along dims, with their derivatives. */
final class Reductions {
  private Reductions() {}

  /** Sorted, non-negative reduced dims; empty means all dims (as in {@link Tensor#reduce}). */
  private static boolean[] reduced(int rank, int[] dims) {
    boolean[] r = new boolean[rank];
    if (dims.length == 0) java.util.Arrays.fill(r, true);
    for (int d : dims) r[d < 0 ? d + rank : d] = true;
    return r;
  }

  /** The keepdim shape of reducing {@code shape} over the marked dims. */
  private static int[] keptShape(int[] shape, boolean[] red) {
    int[] k = shape.clone();
    for (int i = 0; i < k.length; i++) if (red[i]) k[i] = 1;
    return k;
  }

  static Var sum(Var x, int[] dims, boolean keepdim) {
    int[] shape = x.shape();
    int[] kept = keptShape(shape, reduced(shape.length, dims));
    return Var.op("sum", x.data().sum(dims, keepdim), g -> {
      try (Tensor gk = g.reshape(kept)) {
        return new Tensor[] {gk.expand(shape)};
      }
    }, x);
  }

  static Var mean(Var x, int[] dims, boolean keepdim) {
    boolean[] red = reduced(x.dim(), dims);
    long n = 1;
    for (int i = 0; i < red.length; i++) if (red[i]) n *= x.size(i);
    return sum(x, dims, keepdim).div(n);
  }

  /** PyTorch's max(dim)/min(dim) values: the gradient goes to the first extremal index, through gather. */
  static Var max(Var x, int dim, boolean keepdim, boolean min) {
    // the index stays alive (in the current scope) until the backward pass
    Tensor idx = min ? x.data().argmin(dim, true) : x.data().argmax(dim, true);
    Var picked = x.gather(dim, idx);
    return keepdim ? picked : picked.squeeze(dim);
  }

  static Var logsumexp(Var x, int dim, boolean keepdim) {
    Tensor xd = x.data();
    Tensor out = xd.logsumexp(dim, keepdim);
    int[] kept = keptShape(xd.shape(), reduced(xd.dim(), new int[] {dim}));
    // d lse / dx = softmax(x) = exp(x - lse)
    return Var.op("logsumexp", out, g -> {
      try (Tensor lse = out.reshape(kept); Tensor gk = g.reshape(kept); Tensor d = xd.sub(lse)) {
        Tensor p = d.exp();
        return new Tensor[] {p.mulInPlace(gk)};
      }
    }, x);
  }

  static Var softmax(Var x, int dim, boolean log) {
    Tensor y = log ? x.data().logSoftmax(dim) : x.data().softmax(dim);
    return Var.op(log ? "logSoftmax" : "softmax", y, g -> {
      if (log) {
        // g - softmax * sum(g)
        try (Tensor s = g.sum(dim, true); Tensor ns = s.neg()) {
          Tensor d = y.exp();
          d.mulInPlace(ns);
          return new Tensor[] {d.addInPlace(g)};
        }
      }
      // y * (g - sum(g * y))
      try (Tensor gy = g.mul(y); Tensor s = gy.sum(dim, true)) {
        Tensor d = g.sub(s);
        return new Tensor[] {d.mulInPlace(y)};
      }
    }, x);
  }
}

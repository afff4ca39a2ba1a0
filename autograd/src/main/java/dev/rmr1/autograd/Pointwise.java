package dev.rmr1.autograd;

import dev.rmr1.tensor.BinaryOp;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.FusedSwiGlu;
import dev.rmr1.tensor.Tensor;
import java.util.Arrays;

/**
 * Elementwise operations and their derivatives. Binary operations broadcast; their backward sums
 * the gradient back to each operand's shape. Saved values are the operands' and result's data as
 * they were at forward time. Derivatives are built in place in freshly allocated buffers, so a
 * backward allocates about one tensor of the operand's size.
 */
final class Pointwise {
  private Pointwise() {}

  /** sumTo that also closes {@code t}. */
  private static Tensor reduceInto(Tensor t, int[] shape) {
    try (t) {
      return Grads.sumTo(t, shape);
    }
  }

  // ------------------------------------------------------------------ binary

  static Var add(Var a, Var b) {
    int[] as = a.shape(), bs = b.shape();
    return Var.op("add", a.data().add(b.data()), g -> new Tensor[] {
        a.requiresGrad() ? Grads.sumTo(g, as) : null,
        b.requiresGrad() ? Grads.sumTo(g, bs) : null}, a, b);
  }

  static Var sub(Var a, Var b) {
    int[] as = a.shape(), bs = b.shape();
    return Var.op("sub", a.data().sub(b.data()), g -> new Tensor[] {
        a.requiresGrad() ? Grads.sumTo(g, as) : null,
        b.requiresGrad() ? reduceInto(g.neg(), bs) : null}, a, b);
  }

  static Var mul(Var a, Var b) {
    Tensor ad = a.data(), bd = b.data();
    return Var.op("mul", ad.mul(bd), g -> new Tensor[] {
        a.requiresGrad() ? reduceInto(g.mul(bd), ad.shape()) : null,
        b.requiresGrad() ? reduceInto(g.mul(ad), bd.shape()) : null}, a, b);
  }

  static Var div(Var a, Var b) {
    Tensor ad = a.data(), bd = b.data();
    Tensor out = ad.div(bd);
    return Var.op("div", out, g -> {
      Tensor ga = a.requiresGrad() ? reduceInto(g.div(bd), ad.shape()) : null;
      Tensor gb = null;
      if (b.requiresGrad()) {
        // d(a/b)/db = -(a/b)/b
        try (Tensor go = g.mul(out); Tensor q = go.div(bd)) {
          gb = reduceInto(q.neg(), bd.shape());
        }
      }
      return new Tensor[] {ga, gb};
    }, a, b);
  }

  static Var pow(Var a, Var b) {
    Tensor ad = a.data(), bd = b.data();
    Tensor out = ad.pow(bd);
    return Var.op("pow", out, g -> {
      Tensor ga = null, gb = null;
      if (a.requiresGrad()) {
        // b * a^(b-1)
        try (Tensor bm1 = bd.sub(1); Tensor p = ad.pow(bm1); Tensor d = p.mul(bd)) {
          ga = reduceInto(g.mul(d), ad.shape());
        }
      }
      if (b.requiresGrad()) {
        // a^b * log(a)
        try (Tensor la = ad.log(); Tensor d = out.mul(la)) {
          gb = reduceInto(g.mul(d), bd.shape());
        }
      }
      return new Tensor[] {ga, gb};
    }, a, b);
  }

  static Var maximum(Var a, Var b) {
    return extremum("maximum", a, b, true);
  }

  static Var minimum(Var a, Var b) {
    return extremum("minimum", a, b, false);
  }

  /** PyTorch: the larger (smaller) side takes the gradient, ties split it in halves. */
  private static Var extremum(String op, Var a, Var b, boolean max) {
    Tensor ad = a.data(), bd = b.data();
    Tensor out = max ? ad.maximum(bd) : ad.minimum(bd);
    return Var.op(op, out, g -> {
      try (Tensor tie = ad.eq(bd); Tensor half = g.mul(0.5); Tensor shared = Tensor.where(tie, half, g);
          Tensor zero = Grads.scalarLike(g, 0)) {
        Tensor ga = null, gb = null;
        if (a.requiresGrad()) try (Tensor loses = max ? ad.lt(bd) : ad.gt(bd)) {
          ga = reduceInto(Tensor.where(loses, zero, shared), ad.shape());
        }
        if (b.requiresGrad()) try (Tensor loses = max ? ad.gt(bd) : ad.lt(bd)) {
          gb = reduceInto(Tensor.where(loses, zero, shared), bd.shape());
        }
        return new Tensor[] {ga, gb};
      }
    }, a, b);
  }

  static Var where(Tensor cond, Var a, Var b) {
    Tensor ad = a.data(), bd = b.data();
    return Var.op("where", Tensor.where(cond, ad, bd), g -> {
      try (Tensor zero = Grads.scalarLike(g, 0)) {
        return new Tensor[] {
            a.requiresGrad() ? reduceInto(Tensor.where(cond, g, zero), ad.shape()) : null,
            b.requiresGrad() ? reduceInto(Tensor.where(cond, zero, g), bd.shape()) : null};
      }
    }, a, b);
  }

  // ------------------------------------------------------------------ unary

  static Var neg(Var x) {
    return Var.op("neg", x.data().neg(), g -> new Tensor[] {g.neg()}, x);
  }

  static Var exp(Var x) {
    Tensor y = x.data().exp();
    return Var.op("exp", y, g -> new Tensor[] {g.mul(y)}, x);
  }

  static Var log(Var x) {
    Tensor xd = x.data();
    return Var.op("log", xd.log(), g -> new Tensor[] {g.div(xd)}, x);
  }

  static Var sqrt(Var x) {
    Tensor y = x.data().sqrt();
    return Var.op("sqrt", y, g -> {
      try (Tensor h = g.mul(0.5)) {
        return new Tensor[] {h.div(y)};
      }
    }, x);
  }

  static Var rsqrt(Var x) {
    Tensor y = x.data().rsqrt();
    // d/dx x^(-1/2) = -x^(-3/2) / 2 = -y^3 / 2
    return Var.op("rsqrt", y, g -> {
      Tensor d = y.square();
      d.mulInPlace(y);
      d.mulInPlace(-0.5);
      return new Tensor[] {d.mulInPlace(g)};
    }, x);
  }

  static Var tanh(Var x) {
    Tensor y = x.data().tanh();
    // 1 - y^2
    return Var.op("tanh", y, g -> {
      Tensor d = y.square();
      d.mulInPlace(-1);
      d.applyInPlace(BinaryOp.ADD, 1);
      return new Tensor[] {d.mulInPlace(g)};
    }, x);
  }

  static Var sigmoid(Var x) {
    Tensor y = x.data().sigmoid();
    // y (1 - y)
    return Var.op("sigmoid", y, g -> {
      Tensor d = y.neg();
      d.applyInPlace(BinaryOp.ADD, 1);
      d.mulInPlace(y);
      return new Tensor[] {d.mulInPlace(g)};
    }, x);
  }

  static Var silu(Var x) {
    Tensor xd = x.data();
    // d/dx x s(x) = s (1 + x (1 - s)), built in place in one buffer besides s
    return Var.op("silu", xd.silu(), g -> {
      try (Tensor s = xd.sigmoid()) {
        Tensor d = s.neg();
        d.applyInPlace(BinaryOp.ADD, 1);
        d.mulInPlace(xd);
        d.applyInPlace(BinaryOp.ADD, 1);
        d.mulInPlace(s);
        return new Tensor[] {d.mulInPlace(g)};
      }
    }, x);
  }

  /**
   * silu(gate) * up, the SwiGLU gate of Qwen2's MLP, as one op so that a backend with
   * {@link FusedSwiGlu} runs one kernel each way (the composed backward is nine); otherwise, or when
   * the operands would broadcast, it is silu and mul composed.
   */
  static Var swiGlu(Var gate, Var up) {
    Tensor gd = gate.data(), ud = up.data();
    if (!(gd.backend() instanceof FusedSwiGlu fused) || !Arrays.equals(gd.shape(), ud.shape()) || gd.dtype() != ud.dtype()
        || !gd.device().equals(ud.device()))
      return silu(gate).mul(up);
    Tensor out = Tensor.empty(gd.device(), gd.dtype(), gd.shape());
    fused.swiGlu(out, gd, ud);
    return Var.op("swiGlu", out, g -> {
      Tensor dGate = gate.requiresGrad() ? Tensor.empty(gd.device(), gd.dtype(), gd.shape()) : null;
      Tensor dUp = up.requiresGrad() ? Tensor.empty(ud.device(), ud.dtype(), ud.shape()) : null;
      fused.swiGluBackward(dGate, dUp, g, gd, ud);
      return new Tensor[] {dGate, dUp};
    }, gate, up);
  }

  static Var relu(Var x) {
    Tensor xd = x.data();
    return Var.op("relu", xd.relu(), g -> {
      try (Tensor pos = xd.gt(0); Tensor zero = Grads.scalarLike(g, 0)) {
        return new Tensor[] {Tensor.where(pos, g, zero)};
      }
    }, x);
  }

  static Var square(Var x) {
    Tensor xd = x.data();
    return Var.op("square", xd.square(), g -> {
      try (Tensor x2 = xd.mul(2)) {
        return new Tensor[] {g.mul(x2)};
      }
    }, x);
  }

  static Var abs(Var x) {
    Tensor xd = x.data();
    // sign(x), with 0 at 0 (PyTorch)
    return Var.op("abs", xd.abs(), g -> {
      try (Tensor pos = xd.gt(0); Tensor negative = xd.lt(0); Tensor zero = Grads.scalarLike(g, 0); Tensor ng = g.neg();
          Tensor t = Tensor.where(negative, ng, zero)) {
        return new Tensor[] {Tensor.where(pos, g, t)};
      }
    }, x);
  }

  static Var clamp(Var x, double lo, double hi) {
    Tensor xd = x.data();
    return Var.op("clamp", xd.clamp(lo, hi), g -> {
      try (Tensor below = xd.lt(lo); Tensor above = xd.gt(hi); Tensor zero = Grads.scalarLike(g, 0); Tensor t = Tensor.where(above, zero, g)) {
        return new Tensor[] {Tensor.where(below, zero, t)};
      }
    }, x);
  }

  static Var cast(Var x, DType dtype) {
    if (!dtype.isFloating() || !x.dtype().isFloating())
      throw new IllegalArgumentException("to(" + dtype + ") of " + x + ": differentiable casts are between floating dtypes");
    DType from = x.dtype();
    return Var.op("to", x.data().to(dtype), g -> new Tensor[] {g.to(from)}, x);
  }
}

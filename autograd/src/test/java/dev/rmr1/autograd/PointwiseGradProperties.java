package dev.rmr1.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rmr1.autograd.GradCheck.Input;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Finite-difference checks of the elementwise operations, with broadcasting and strided inputs. */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
class PointwiseGradProperties {

  enum Binary {
    ADD(Var::add), SUB(Var::sub), MUL(Var::mul), DIV(Var::div), POW(Var::pow), MAXIMUM(Var::maximum), MINIMUM(Var::minimum);

    final BinaryOperator<Var> f;

    Binary(BinaryOperator<Var> f) {
      this.f = f;
    }
  }

  enum Unary {
    NEG(Var::neg, -1, 1), EXP(Var::exp, -1, 1), LOG(Var::log, 0.3, 2), SQRT(Var::sqrt, 0.3, 2), RSQRT(Var::rsqrt, 0.3, 2),
    TANH(Var::tanh, -2, 2), SIGMOID(Var::sigmoid, -3, 3), SILU(Var::silu, -3, 3), RELU(Var::relu, -1, 1), SQUARE(Var::square, -1, 1),
    ABS(Var::abs, -1, 1), CLAMP(x -> x.clamp(-0.5, 0.25), -1, 1), SCALAR_ARITHMETIC(x -> x.mul(3).add(1).div(2).sub(0.5).pow(3), -1, 1);

    final UnaryOperator<Var> f;
    final double lo, hi;

    Unary(UnaryOperator<Var> f, double lo, double hi) {
      this.f = f;
      this.lo = lo;
      this.hi = hi;
    }
  }

  @Provide
  Arbitrary<int[]> shapes() {
    return TestShapes.shapes(0, 0);
  }

  /** Values on a grid of step 0.05 (+ offset), away from 0: no ties between the two operands, no kinks. */
  private static Input gridInput(Rng rng, double offset, int... shape) {
    Input in = Input.of(rng, shape);
    double[] v = in.values();
    for (int i = 0; i < v.length; i++) {
      double q = Math.round(v[i] * 20) / 20.0 + offset;
      v[i] = q == 0 ? 0.5 : q;
    }
    return in;
  }

  @Property(tries = 60)
  void binaryOpsBroadcast(@ForAll Binary op, @ForAll("shapes") int[] shape, @ForAll long seed) {
    Rng rng = new Rng(seed);
    int[] other = TestShapes.broadcastPartner(shape, rng);
    boolean swap = rng.nextInt(2) == 0;
    Input a = gridInput(rng, 0.0125, swap ? other : shape), b = gridInput(rng, -0.0125, swap ? shape : other);
    if (op == Binary.POW) {
      // positive base, any exponent
      for (int i = 0; i < a.values().length; i++) a.values()[i] = 0.5 + Math.abs(a.values()[i]);
    }
    if (op == Binary.DIV) for (int i = 0; i < b.values().length; i++) b.values()[i] += Math.signum(b.values()[i]) * 0.5;
    GradCheck.check(op.name(), v -> op.f.apply(v.get(0), v.get(1)), a, b);
  }

  @Property(tries = 40)
  void binaryOpsOnTransposedViews(@ForAll Binary op, @ForAll long seed) {
    Rng rng = new Rng(seed);
    Input a = gridInput(rng, 0.0125, 3, 2), b = gridInput(rng, -0.0125, 2, 3);
    if (op == Binary.POW) for (int i = 0; i < a.values().length; i++) a.values()[i] = 0.5 + Math.abs(a.values()[i]);
    if (op == Binary.DIV) for (int i = 0; i < b.values().length; i++) b.values()[i] += Math.signum(b.values()[i]) * 0.5;
    GradCheck.check(op.name() + " of a transposed view", v -> op.f.apply(v.get(0).transpose(0, 1), v.get(1)), a, b);
  }

  @Property(tries = 60)
  void unaryOps(@ForAll Unary op, @ForAll("shapes") int[] shape, @ForAll long seed) {
    Rng rng = new Rng(seed);
    Input x = Input.uniform(rng, op.lo, op.hi, shape);
    double[] v = x.values();
    // keep away from the kinks of relu/abs (0) and clamp (-0.5, 0.25)
    for (int i = 0; i < v.length; i++)
      for (double kink : new double[] {0, -0.5, 0.25}) if (Math.abs(v[i] - kink) < 1e-3) v[i] += 0.01;
    GradCheck.check(op.name(), in -> op.f.apply(in.get(0)), x);
  }

  @Property(tries = 30)
  void whereSelectsGradients(@ForAll("shapes") int[] shape, @ForAll long seed) {
    Rng rng = new Rng(seed);
    int[] other = TestShapes.broadcastPartner(shape, rng);
    Input a = Input.of(rng, shape), b = Input.of(rng, other);
    double[] c = new double[Math.toIntExact(Tensor.numel(shape))];
    for (int i = 0; i < c.length; i++) c[i] = rng.nextInt(2);
    try (TensorScope s = TensorScope.open()) {
      Tensor cond = Tensor.of(dev.rmr1.tensor.Device.CPU, DType.BOOL, c, shape);
      GradCheck.check("where", v -> Var.where(cond, v.get(0), v.get(1)), a, b);
    }
  }

  @Example
  void tiesSplitTheGradientInHalves() {
    try (TensorScope s = TensorScope.open()) {
      Var a = Var.leaf(Tensor.of(new double[] {1, 2, 3}, 3));
      Var b = Var.leaf(Tensor.of(new double[] {1, 5, 0}, 3));
      a.maximum(b).sum().backward();
      assertArrayEquals(new double[] {0.5, 0, 1}, a.grad().toDoubleArray());
      assertArrayEquals(new double[] {0.5, 1, 0}, b.grad().toDoubleArray());
      a.clearGrad();
      b.clearGrad();
      Var c = Var.leaf(Tensor.of(new double[] {-1, 0.25, 0.5}, 3));
      c.clamp(-1, 0.25).sum().backward();
      // PyTorch's clamp passes the gradient at the bounds
      assertArrayEquals(new double[] {1, 1, 0}, c.grad().toDoubleArray());
      c.clearGrad();
    }
  }

  @Example
  void castSendsTheGradientBackInTheSourceDtype() {
    try (TensorScope s = TensorScope.open()) {
      Var x = Var.leaf(Tensor.of(new double[] {1, 2}, 2));
      Var y = x.to(DType.F32).mul(3);
      assertEquals(DType.F32, y.dtype());
      y.sum().backward();
      assertEquals(DType.F64, x.grad().dtype());
      assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray());
      x.clearGrad();
    }
  }
}

package dev.rmr1.autograd;

import dev.rmr1.autograd.GradCheck.Input;
import dev.rmr1.tensor.Rng;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Finite-difference checks of views and joins. Each case multiplies by a second input of the result's
 * shape afterwards, so that gradients arriving at the view are not all equal.
 */
class ShapeGradProperties {

  private static void check(String what, java.util.function.Function<Var, Var> view, Rng rng, int... shape) {
    Input x = Input.of(rng, shape);
    GradCheck.check(what, v -> {
      Var y = view.apply(v.get(0));
      return y.mul(y);
    }, x);
  }

  @Property(tries = 20)
  void views(@ForAll @IntRange(min = 1, max = 3) int a, @ForAll @IntRange(min = 1, max = 3) int b,
      @ForAll @IntRange(min = 1, max = 3) int c, @ForAll long seed) {
    Rng rng = new Rng(seed);
    check("reshape", x -> x.reshape(c, -1), rng, a, b, c);
    check("reshape of a transposed view", x -> x.transpose(0, 2).reshape(-1), rng, a, b, c);
    check("permute", x -> x.permute(2, 0, 1), rng, a, b, c);
    check("transpose", x -> x.transpose(-1, 0), rng, a, b, c);
    int start = rng.nextInt(b);
    check("narrow", x -> x.narrow(1, start, b - start), rng, a, b, c);
    check("slice with step", x -> x.slice(2, 0, c, 2), rng, a, b, c);
    check("select", x -> x.select(0, a - 1), rng, a, b, c);
    check("expand", x -> x.unsqueeze(0).expand(2, a, b, c).permute(3, 1, 2, 0), rng, a, b, c);
    check("expand of size-1 dims", x -> x.expand(a, 3, c), rng, a, 1, c);
    check("squeeze", x -> x.squeeze(1), rng, a, 1, c);
    check("unsqueeze", x -> x.unsqueeze(-1).unsqueeze(1), rng, a, b, c);
    check("contiguous of a permuted view", x -> x.permute(1, 2, 0).contiguous(), rng, a, b, c);
    check("flatten", Var::flatten, rng, a, b, c);
  }

  @Property(tries = 20)
  void catAndStack(@ForAll @IntRange(min = 1, max = 3) int a, @ForAll @IntRange(min = 0, max = 3) int b,
      @ForAll @IntRange(min = 1, max = 3) int c, @ForAll long seed) {
    Rng rng = new Rng(seed);
    Input x = Input.of(rng, a, b, c), y = Input.of(rng, a, 2, c), z = Input.of(rng, a, b, c);
    GradCheck.check("cat", v -> {
      Var r = Var.cat(1, List.of(v.get(0), v.get(1), v.get(0)));
      return r.mul(r);
    }, x, y);
    GradCheck.check("cat with a frozen part", v -> Var.cat(-2, List.of(v.get(0), v.get(1))).square(), x, y.frozen());
    GradCheck.check("stack", v -> Var.stack(1, List.of(v.get(0), v.get(1).transpose(0, 0))).square(), x, z);
  }
}

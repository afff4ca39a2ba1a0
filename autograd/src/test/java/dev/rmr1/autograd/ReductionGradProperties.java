package dev.rmr1.autograd;

import dev.rmr1.autograd.GradCheck.Input;
import dev.rmr1.tensor.Rng;
import java.util.function.BiFunction;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Finite-difference checks of reductions and softmax along random dims, also of strided inputs. */
class ReductionGradProperties {

  enum Along {
    SUM((x, d) -> x.sum(d, false)), SUM_KEEPDIM((x, d) -> x.sum(d, true)), MEAN((x, d) -> x.mean(d, false)),
    MEAN_KEEPDIM((x, d) -> x.mean(d, true)), MAX((x, d) -> x.max(d, false)), MIN_KEEPDIM((x, d) -> x.min(d, true)),
    LOGSUMEXP((x, d) -> x.logsumexp(d, false)), LOGSUMEXP_KEEPDIM((x, d) -> x.logsumexp(d, true)), SOFTMAX(Var::softmax),
    LOG_SOFTMAX(Var::logSoftmax);

    final BiFunction<Var, Integer, Var> f;

    Along(BiFunction<Var, Integer, Var> f) {
      this.f = f;
    }
  }

  @Provide
  Arbitrary<int[]> shapes() {
    return TestShapes.shapes(1, 1);
  }

  @Property(tries = 80)
  void alongOneDim(@ForAll Along op, @ForAll("shapes") int[] shape, @ForAll long seed, @ForAll boolean transposed) {
    Rng rng = new Rng(seed);
    int dim = rng.nextInt(shape.length) - (rng.nextInt(2) == 0 ? shape.length : 0);
    Input x = Input.uniform(rng, -2, 2, shape);
    boolean view = transposed && shape.length >= 2;
    GradCheck.check(op + " along " + dim, v -> op.f.apply(view ? v.get(0).transpose(0, -1) : v.get(0), dim), x);
  }

  @Property(tries = 30)
  void overSeveralDims(@ForAll("shapes") int[] shape, @ForAll long seed, @ForAll boolean keepdim, @ForAll boolean mean) {
    Rng rng = new Rng(seed);
    int n = 0;
    int[] dims = new int[shape.length];
    for (int i = 0; i < shape.length; i++) if (rng.nextInt(2) == 0) dims[n++] = i;
    int[] chosen = java.util.Arrays.copyOf(dims, n);
    Input x = Input.of(rng, shape);
    GradCheck.check((mean ? "mean" : "sum") + " over " + java.util.Arrays.toString(chosen),
        v -> mean ? v.get(0).mean(chosen, keepdim) : v.get(0).sum(chosen, keepdim), x);
  }

  @Property(tries = 10)
  void fullReductions(@ForAll("shapes") int[] shape, @ForAll long seed) {
    Input x = Input.of(new Rng(seed), shape);
    GradCheck.check("sum and mean of everything", v -> v.get(0).sum().mul(v.get(0).mean()), x);
  }
}

package dev.rmr1.examples;

import dev.rmr1.nn.Module;
import dev.rmr1.nn.NamedParameter;
import dev.rmr1.nn.optim.OptimParam;
import dev.rmr1.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** A module's trainable parameters as the optimizer's {@link OptimParam}s (name, value, gradient). */
final class Trainables {
  private Trainables() {}

  private record Param(NamedParameter p) implements OptimParam {
    @Override
    public String name() {
      return p.name();
    }

    @Override
    public Tensor value() {
      return p.value();
    }

    @Override
    public Tensor grad() {
      return p.grad();
    }
  }

  static List<OptimParam> of(Module m) {
    List<OptimParam> out = new ArrayList<>();
    for (NamedParameter p : m.trainableParameters()) out.add(new Param(p));
    return out;
  }
}

package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Reshapes, views and joins. Forwards are views of the input wherever {@link Tensor} makes them
 * views; backwards undo the view on the gradient, or scatter it into zeros for slicing views.
 */
final class Shapes {
  private Shapes() {}

  static Var reshape(Var x, int... shape) {
    int[] in = x.shape();
    return Var.op("reshape", x.data().reshape(shape), g -> new Tensor[] {g.reshape(in)}, x);
  }

  static Var permute(Var x, int... order) {
    Tensor out = x.data().permute(order);
    int rank = order.length;
    int[] inverse = new int[rank];
    for (int i = 0; i < rank; i++) inverse[order[i] < 0 ? order[i] + rank : order[i]] = i;
    return Var.op("permute", out, g -> new Tensor[] {g.permute(inverse)}, x);
  }

  static Var transpose(Var x, int d0, int d1) {
    return Var.op("transpose", x.data().transpose(d0, d1), g -> new Tensor[] {g.transpose(d0, d1)}, x);
  }

  static Var expand(Var x, int... shape) {
    int[] in = x.shape();
    return Var.op("expand", x.data().expand(shape), g -> new Tensor[] {Grads.sumTo(g, in)}, x);
  }

  static Var unsqueeze(Var x, int dim) {
    int[] in = x.shape();
    return Var.op("unsqueeze", x.data().unsqueeze(dim), g -> new Tensor[] {g.reshape(in)}, x);
  }

  static Var squeeze(Var x, int dim) {
    int[] in = x.shape();
    return Var.op("squeeze", x.data().squeeze(dim), g -> new Tensor[] {g.reshape(in)}, x);
  }

  static Var contiguous(Var x) {
    return Var.op("contiguous", x.data().contiguous(), g -> new Tensor[] {Grads.same(g)}, x);
  }

  /** The backward of a slicing view: zeros of the input's shape with g written into the same view. */
  private interface SliceOf {
    Tensor apply(Tensor t);
  }

  private static Var sliced(String op, Var x, SliceOf view) {
    Tensor xd = x.data();
    return Var.op(op, view.apply(xd), g -> {
      Tensor z = Grads.zerosLike(xd);
      try (Tensor part = view.apply(z)) {
        part.copyFrom(g);
      }
      return new Tensor[] {z};
    }, x);
  }

  static Var narrow(Var x, int dim, int start, int length) {
    return sliced("narrow", x, t -> t.narrow(dim, start, length));
  }

  static Var slice(Var x, int dim, int start, int end, int step) {
    return sliced("slice", x, t -> t.slice(dim, start, end, step));
  }

  static Var select(Var x, int dim, int index) {
    return sliced("select", x, t -> t.select(dim, index));
  }

  static Var cat(int dim, List<Var> parts) {
    if (parts.isEmpty()) throw new IllegalArgumentException("cat of no values");
    List<Tensor> data = new ArrayList<>(parts.size());
    for (Var p : parts) data.add(p.data());
    Tensor out = Tensor.cat(dim, data);
    int axis = dim < 0 ? dim + out.dim() : dim;
    int[] sizes = new int[parts.size()];
    for (int i = 0; i < sizes.length; i++) sizes[i] = parts.get(i).size(axis);
    return Var.op("cat", out, g -> {
      Tensor[] r = new Tensor[sizes.length];
      for (int i = 0, at = 0; i < sizes.length; at += sizes[i], i++)
        if (parts.get(i).requiresGrad()) r[i] = g.narrow(axis, at, sizes[i]);
      return r;
    }, parts.toArray(new Var[0]));
  }

  static Var stack(int dim, List<Var> parts) {
    if (parts.isEmpty()) throw new IllegalArgumentException("stack of no values");
    List<Var> u = new ArrayList<>(parts.size());
    for (Var p : parts) {
      if (!java.util.Arrays.equals(p.shape(), parts.get(0).shape()))
        throw new IllegalArgumentException("stack: shapes " + java.util.Arrays.toString(parts.get(0).shape()) + " and " + java.util.Arrays.toString(p.shape()) + " differ");
      u.add(p.unsqueeze(dim));
    }
    return cat(dim, u);
  }
}

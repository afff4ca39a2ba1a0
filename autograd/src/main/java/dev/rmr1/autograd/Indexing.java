package dev.rmr1.autograd;

import dev.rmr1.tensor.Tensor;

/** Gather and embedding lookups; their backward is a scatter-add of the gradient. */
final class Indexing {
  private Indexing() {}

  static Var gather(Var x, int dim, Tensor index) {
    Tensor xd = x.data();
    return Var.op("gather", xd.gather(dim, index), g -> {
      Tensor z = Grads.zerosLike(xd);
      z.scatterAddInPlace(dim, index, g);
      return new Tensor[] {z};
    }, x);
  }

  /** table (V, C), ids (...) -> (..., C); gradient rows of repeated ids add up. */
  static Var embedding(Var table, Tensor ids) {
    Tensor td = table.data();
    if (td.dim() != 2) throw new IllegalArgumentException("embedding: table must be (V, C), got " + td);
    return Var.op("embedding", td.embedding(ids), g -> {
      int n = Math.toIntExact(ids.numel()), c = td.size(1);
      Tensor z = Grads.zerosLike(td);
      try (Tensor flat = ids.reshape(n, 1); Tensor index = flat.expand(n, c); Tensor rows = g.reshape(n, c)) {
        z.scatterAddInPlace(0, index, rows);
      }
      return new Tensor[] {z};
    }, table);
  }
}

package dev.rmr1.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input fails with a message that names the operation and what was wrong (both shapes, both dtypes). */
class ErrorMessagesTest {
  private TensorScope scope;

  @BeforeEach
  void open() {
    scope = TensorScope.open();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  static void fails(Class<? extends Throwable> type, Executable call, String... mustMention) {
    Throwable e = assertThrows(type, call);
    for (String m : mustMention) assertTrue(e.getMessage().contains(m), "message '" + e.getMessage() + "' should mention " + m);
  }

  @Test
  void shapeMismatchesNameTheOpAndBothShapes() {
    Tensor a = Tensor.zeros(DType.F32, 2, 3), b = Tensor.zeros(DType.F32, 4), c = Tensor.zeros(DType.F32, 3);
    fails(IllegalArgumentException.class, () -> a.add(b), "add", "[2, 3]", "[4]");
    fails(IllegalArgumentException.class, () -> a.lt(b), "lt", "[2, 3]", "[4]");
    fails(IllegalArgumentException.class, () -> c.addInPlace(a), "add_", "[3]", "[2, 3]");
    fails(IllegalArgumentException.class, () -> Tensor.where(a.gt(0), a, b), "where", "[2, 3]", "[4]");
    fails(IllegalArgumentException.class, () -> a.matmul(a), "matmul", "[2, 3]");
    fails(IllegalArgumentException.class, () -> Tensor.cat(0, List.of(a, Tensor.zeros(DType.F32, 2, 4))), "cat", "[2, 3]", "[2, 4]");
    fails(IllegalArgumentException.class, () -> Tensor.stack(0, List.of(a, Tensor.zeros(DType.F32, 3, 2))), "stack", "[2, 3]", "[3, 2]");
    fails(IllegalArgumentException.class, () -> a.rmsNorm(b, 1e-6), "rmsNorm", "[4]", "[2, 3]");
    Tensor x = Tensor.zeros(DType.F32, 1, 2, 5, 4);
    fails(IllegalArgumentException.class, () -> x.rope(Tensor.zeros(DType.F32, 6, 4), Tensor.zeros(DType.F32, 6, 4)), "rope", "[1, 2, 5, 4]", "[6, 4]");
    Tensor q = Tensor.zeros(DType.F32, 1, 3, 5, 8), k = Tensor.zeros(DType.F32, 1, 2, 5, 8);
    fails(IllegalArgumentException.class, () -> Tensor.attention(q, k, k, 1, true, 0), "attention", "[1, 3, 5, 8]", "[1, 2, 5, 8]");
    fails(IllegalArgumentException.class, () -> Tensor.attention(q, q, q, 1, true, 3), "attention", "qOffset 3");
    Tensor idx = Tensor.ofLongs(new long[] {0, 1}, 2);
    fails(IllegalArgumentException.class, () -> a.gather(1, idx), "gather", "[2]", "[2, 3]");
    fails(IllegalArgumentException.class, () -> a.scatterAddInPlace(1, Tensor.ofLongs(new long[] {0, 0}, 1, 2), c), "scatterAdd", "[1, 2]", "[3]");
    fails(IllegalArgumentException.class, () -> a.reshape(5), "reshape", "[5]", "[2, 3]");
  }

  @Test
  void dtypeMismatchesNameBothDtypes() {
    Tensor f = Tensor.zeros(DType.F32, 3), d = Tensor.zeros(DType.F64, 3), i = Tensor.zeros(DType.I64, 3);
    fails(IllegalArgumentException.class, () -> f.add(d), "add", "F32", "F64");
    fails(IllegalArgumentException.class, () -> f.mulInPlace(d), "mul_", "F32", "F64");
    fails(IllegalArgumentException.class, () -> Tensor.where(f.gt(0), f, d), "where", "F32", "F64");
    fails(IllegalArgumentException.class, () -> Tensor.where(f, f, f), "where", "BOOL", "F32");
    fails(IllegalArgumentException.class, () -> f.unsqueeze(0).matmul(Tensor.zeros(DType.I32, 3, 1)), "matmul", "F32", "I32");
    fails(IllegalArgumentException.class, () -> i.exp(), "exp", "I64");
    fails(IllegalArgumentException.class, () -> i.softmax(0), "softmax", "I64");
    fails(IllegalArgumentException.class, () -> i.sum(), "sum", "I64");
    fails(IllegalArgumentException.class, () -> f.indexSelect(0, f), "indexSelect", "F32");
    Tensor q = Tensor.zeros(DType.F32, 1, 1, 2, 4);
    fails(IllegalArgumentException.class, () -> Tensor.attention(q, q.to(DType.BF16), q, 1, true, 0), "attention", "F32", "BF16");
    fails(IllegalArgumentException.class, () -> q.rope(Tensor.zeros(DType.F64, 2, 4), Tensor.zeros(DType.F64, 2, 4)), "rope", "F64", "F32");
    fails(IllegalArgumentException.class, () -> f.scatterAddInPlace(0, Tensor.ofLongs(new long[] {0}, 1), Tensor.zeros(DType.F64, 1)), "scatterAdd", "F64", "F32");
  }

  @Test
  void badArgumentsAreNamed() {
    Tensor a = Tensor.zeros(DType.F32, 2, 3);
    fails(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, 2, 0).argmax(1, false), "ARGMAX", "empty dim");
    fails(IllegalArgumentException.class, () -> a.topk(4), "topk", "k=4");
    fails(IllegalArgumentException.class, () -> a.sum(new int[] {1, -1}, false), "repeated dim");
    fails(IllegalArgumentException.class, () -> a.clamp(2, 1), "clamp");
    fails(IndexOutOfBoundsException.class, () -> a.gather(1, Tensor.ofLongs(new long[] {0, 3}, 1, 2)), "gather", "index 3");
    fails(IndexOutOfBoundsException.class, () -> a.sum(2, false), "dimension 2");
  }

  @Test
  void releasedTensorsFailClearly() {
    Tensor a = Tensor.ones(DType.F32, 4);
    Tensor view = a.narrow(0, 1, 2);
    a.close();
    // A view keeps the storage alive: it still reads the data.
    assertArrayEquals(new float[] {1, 1}, view.toFloatArray());
    view.close();
    fails(IllegalStateException.class, view::toFloatArray, "released", "[2]");
    fails(IllegalStateException.class, () -> a.add(a), "released");
    Tensor b = Tensor.ones(DType.F32, 4);
    fails(IllegalStateException.class, () -> b.add(a), "released", "[4]");
    Tensor kept;
    try (TensorScope inner = TensorScope.open()) {
      kept = Tensor.ones(DType.F32, 3);
    }
    Tensor dead = kept;
    fails(IllegalStateException.class, dead::exp, "released", "TensorScope");
    b.close();
  }
}

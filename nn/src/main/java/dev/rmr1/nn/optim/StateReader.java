package dev.rmr1.nn.optim;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import java.util.Set;

/** Source of an optimizer checkpoint written through {@link StateWriter}. */
public interface StateReader {
  /** Where the state comes from (a path), for error messages. */
  String source();

  Set<String> stringKeys();

  Set<String> tensorKeys();

  /** The string entry; an error naming the source and key when it is missing. */
  String string(String key);

  DType dtype(String tensorKey);

  int[] shape(String tensorKey);

  /** Copies the stored tensor into {@code dst}, which must have the stored dtype and shape. */
  void read(String tensorKey, Tensor dst);
}

package dev.rmr1.nn.optim;

import dev.rmr1.tensor.Tensor;
import java.io.IOException;

/**
 * Sink for an optimizer checkpoint: named strings (step counts, hyperparameters) and named tensors
 * (moment buffers), the same two kinds of entry a safetensors file holds (header metadata and
 * tensors), so a safetensors-backed implementation can replace {@link BinaryStateFile}.
 */
public interface StateWriter {
  /** Adds a string entry; keys are unique across strings and tensors. */
  void putString(String key, String value) throws IOException;

  /** Adds a tensor entry (any device, dtype and layout; stored dense, row-major, in its dtype). */
  void putTensor(String key, Tensor value) throws IOException;
}

package dev.rmr1.tensor.safetensors;

import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tensors by name from a safetensors file ({@link SafeTensorsFile}) or a sharded checkpoint
 * ({@link ShardedCheckpoint}). Tensors are zero-copy views of the memory-mapped file, read-only
 * (copy one to change it: {@code t.copy()}); each belongs to the caller (or the open
 * {@link dev.rmr1.tensor.TensorScope}) and stays valid after the reader is closed. The mapping is
 * released when the reader and every tensor read from it are closed.
 */
public interface SafeTensorsReader extends AutoCloseable {
  /** All tensor names, sorted. */
  List<String> names();

  boolean contains(String name);

  /** Dtype, shape and byte range of a tensor, without touching its data. */
  TensorInfo info(String name);

  /** The tensor, on the CPU, sharing the mapped file's memory (a fresh handle on every call). */
  Tensor tensor(String name);

  /** The tensor on {@code device} (on the CPU this is the zero-copy tensor itself). */
  default Tensor tensor(String name, Device device) {
    try (Tensor t = tensor(name)) {
      return t.to(device);
    }
  }

  /** Every tensor, in name order; the caller closes each (or opens a TensorScope around the call). */
  default Map<String, Tensor> tensors() {
    Map<String, Tensor> all = new LinkedHashMap<>();
    try {
      for (String n : names()) all.put(n, tensor(n));
    } catch (RuntimeException e) {
      all.values().forEach(Tensor::close);
      throw e;
    }
    return all;
  }

  /**
   * Free-form string metadata: a file's {@code "__metadata__"}; for a sharded checkpoint, the
   * index's {@code "metadata"} (numbers such as {@code total_size} as their decimal text).
   */
  Map<String, String> metadata();

  /** Closes this reader; tensors already read stay valid until they are closed. Idempotent. */
  @Override
  void close();
}

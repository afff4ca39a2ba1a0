package dev.rmr1.tensor.safetensors;

import java.nio.file.Path;

/**
 * A safetensors file or checkpoint index that breaks the format. The message names the file and,
 * where the problem belongs to one tensor, the tensor; nothing out of bounds was read to find it.
 */
public final class SafeTensorsException extends RuntimeException {
  private final transient Path file;
  private final String tensor;

  SafeTensorsException(Path file, String tensor, String problem) {
    this(file, tensor, problem, null);
  }

  SafeTensorsException(Path file, String tensor, String problem, Throwable cause) {
    super(file + ": " + (tensor == null ? "" : "tensor '" + tensor + "': ") + problem, cause);
    this.file = file;
    this.tensor = tensor;
  }

  /** The file (safetensors file or index) at fault. */
  public Path file() {
    return file;
  }

  /** The tensor at fault, or null when the problem is not one tensor's. */
  public String tensor() {
    return tensor;
  }
}

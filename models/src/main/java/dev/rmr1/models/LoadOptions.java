package dev.rmr1.models;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link CausalLM#load} places a checkpoint's weights in memory.
 *
 * <ul>
 *   <li>Default ({@link #inference()}): every tensor in its stored dtype, a zero-copy read-only view
 *       of the memory-mapped file, frozen. Loading Qwen2.5-0.5B in BF16 maps about 1 GB and copies
 *       none of it.
 *   <li>{@code dtype}: cast every weight to this dtype (a copy), e.g. F64 for reference checks or
 *       BF16 to halve an F32 checkpoint.
 *   <li>{@code trainable}: every weight gets its own writable copy and requires a gradient (full
 *       fine-tuning); needs F32 or F64 weights, so a BF16 checkpoint is widened to F32 unless
 *       {@code dtype} says otherwise.
 *   <li>{@code device}: where the weights live; anything but the CPU means a copy.
 * </ul>
 *
 * Activations are computed in F64 when the weights are F64, otherwise in F32 (BF16/F16 weights are
 * widened inside the matrix products, as {@code Tensor#matmul} does).
 */
public record LoadOptions(Optional<DType> dtype, boolean trainable, Device device) {
  public LoadOptions {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(device, "device");
    if (dtype.isPresent() && !dtype.get().isFloating())
      throw new IllegalArgumentException("weights must be floating point, got " + dtype.get());
    if (trainable && dtype.isPresent() && dtype.get() != DType.F32 && dtype.get() != DType.F64)
      throw new IllegalArgumentException("trainable weights must be F32 or F64 (low-precision weights can only be frozen), got " + dtype.get());
  }

  /** Stored dtypes, zero-copy, frozen, on the CPU. */
  public static LoadOptions inference() {
    return new LoadOptions(Optional.empty(), false, Device.CPU);
  }

  /** Writable F32 copies that require gradients, on the CPU. */
  public static LoadOptions training() {
    return new LoadOptions(Optional.of(DType.F32), true, Device.CPU);
  }

  public LoadOptions withDtype(DType d) {
    return new LoadOptions(Optional.of(d), trainable, device);
  }

  public LoadOptions withDevice(Device d) {
    return new LoadOptions(dtype, trainable, d);
  }

  /** The dtype a weight stored as {@code stored} gets in memory. */
  DType resolve(DType stored) {
    if (dtype.isPresent()) return dtype.get();
    if (trainable && stored != DType.F64) return DType.F32;
    return stored;
  }
}

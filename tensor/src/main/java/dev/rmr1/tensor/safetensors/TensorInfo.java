package dev.rmr1.tensor.safetensors;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import java.util.Arrays;

/**
 * What a safetensors header says about one tensor: name, dtype, shape, and where its bytes lie in
 * the data section (offsets relative to the end of the header, as in the header's
 * {@code data_offsets}). Reading the info never touches tensor data.
 */
public final class TensorInfo {
  private final String name;
  private final DType dtype;
  private final int[] shape;
  private final long begin;
  private final long end;

  TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {
    this.name = name;
    this.dtype = dtype;
    this.shape = shape.clone();
    this.begin = begin;
    this.end = end;
  }

  public String name() {
    return name;
  }

  public DType dtype() {
    return dtype;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int dim() {
    return shape.length;
  }

  public long numel() {
    return Tensor.numel(shape);
  }

  public long byteSize() {
    return end - begin;
  }

  /** {@code [begin, end)} of this tensor's bytes in the data section. */
  public long[] dataOffsets() {
    return new long[] {begin, end};
  }

  long begin() {
    return begin;
  }

  long end() {
    return end;
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape);
  }
}

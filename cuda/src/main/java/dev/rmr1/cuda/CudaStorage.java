package dev.rmr1.cuda;

import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Storage;

/** Device memory of the CUDA backend, returned to the caching allocator when the last reference goes. */
final class CudaStorage extends Storage {
  private final Device device;
  private final DeviceAllocator allocator;
  private final DevicePointer pointer;

  CudaStorage(Device device, DeviceAllocator allocator, long bytes) {
    super(bytes);
    this.device = device;
    this.allocator = allocator;
    this.pointer = allocator.allocate(bytes);
  }

  DevicePointer pointer() {
    if (isFreed()) throw new IllegalStateException("CUDA storage was freed");
    return pointer;
  }

  @Override
  public Device device() {
    return device;
  }

  @Override
  protected void free() {
    allocator.release(pointer, byteSize());
  }
}

package dev.rmr1.cuda;

import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Storage;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.cpu.CpuStorage;

/** Test inputs on a device laid out exactly as given CPU views (same offset, strides, broadcasts). */
final class DeviceTensors {
  private DeviceTensors() {}

  /**
   * The same view as {@code cpu} over a device copy of its whole storage, so transposes, strided
   * slices, offsets and stride-0 broadcasts reach the device kernels as they are (Tensor.to would
   * make them dense). The caller closes the result.
   */
  static Tensor mirror(Tensor cpu, Device device) {
    CpuStorage host = (CpuStorage) cpu.storage();
    Storage storage = Backends.of(device).allocate(host.byteSize());
    try (Tensor bytes = Tensor.wrap(storage, DType.U8, new int[] {Math.toIntExact(host.byteSize())}, new long[] {1}, 0)) {
      bytes.backend().copyFromHost(host.segment(), bytes);
      return Tensor.wrap(storage, cpu.dtype(), cpu.shape(), cpu.strides(), cpu.offset());
    } finally {
      storage.release(); // the returned view holds the only reference
    }
  }

  /**
   * The same view as the device tensor {@code dev} over a host copy of its whole storage: reads a
   * result back without running any device kernel (Tensor.to would run the copy kernel first).
   */
  static Tensor fetch(Tensor dev) {
    Storage storage = dev.storage();
    CpuStorage host = CpuStorage.allocate(storage.byteSize());
    try (Tensor bytes = Tensor.wrap(storage, DType.U8, new int[] {Math.toIntExact(storage.byteSize())}, new long[] {1}, 0)) {
      bytes.backend().copyToHost(bytes, host.segment());
      return Tensor.wrap(host, dev.dtype(), dev.shape(), dev.strides(), dev.offset());
    } finally {
      host.release();
    }
  }
}

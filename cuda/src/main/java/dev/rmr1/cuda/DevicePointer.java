package dev.rmr1.cuda;

import jcuda.driver.CUdeviceptr;

/** A JCuda device pointer whose raw address can be read, so cuBLAS (called through java.lang.foreign) can use it. */
final class DevicePointer extends CUdeviceptr {
  long address() {
    return getNativePointer() + getByteOffset();
  }
}

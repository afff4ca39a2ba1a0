package dev.rmr1.cuda;

import static jcuda.driver.JCudaDriver.*;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * One GPU: its primary context, made current on whichever thread computes (the CPU backend's pool
 * threads and the caller alike). All work goes to the default stream, so kernels, copies and cuBLAS
 * calls are ordered without events.
 */
final class CudaContext {
  final int ordinal;
  final CUdevice device = new CUdevice();
  final CUcontext context = new CUcontext();
  final String name;
  final int ccMajor;
  final int ccMinor;
  final long totalMemory;
  private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);

  CudaContext(int ordinal) {
    this.ordinal = ordinal;
    try {
      JCudaDriver.setExceptionsEnabled(true);
      cuInit(0);
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      throw new IllegalStateException("CUDA is not available (no NVIDIA driver / libcuda.so could be used): " + e.getMessage(), e);
    }
    int[] count = new int[1];
    cuDeviceGetCount(count);
    if (ordinal >= count[0]) throw new IllegalStateException("cuda:" + ordinal + " requested but " + count[0] + " CUDA device(s) present");
    cuDeviceGet(device, ordinal);
    cuDevicePrimaryCtxRetain(context, device);
    cuCtxSetCurrent(context);
    current.set(true);
    byte[] nameBytes = new byte[256];
    cuDeviceGetName(nameBytes, nameBytes.length, device);
    int len = 0;
    while (len < nameBytes.length && nameBytes[len] != 0) len++;
    name = new String(nameBytes, 0, len, java.nio.charset.StandardCharsets.US_ASCII);
    ccMajor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    ccMinor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    long[] mem = new long[1];
    cuDeviceTotalMem(mem, device);
    totalMemory = mem[0];
  }

  int attribute(int attr) {
    int[] v = new int[1];
    cuDeviceGetAttribute(v, attr, device);
    return v[0];
  }

  /** Makes this device's context current on the calling thread (cheap after the first call). */
  void makeCurrent() {
    if (!current.get()) {
      cuCtxSetCurrent(context);
      current.set(true);
    }
  }

  void synchronize() {
    makeCurrent();
    cuCtxSynchronize();
  }

  @Override
  public String toString() {
    return "cuda:" + ordinal + " (" + name + ", sm_" + ccMajor + ccMinor + ", " + (totalMemory >> 20) + " MiB)";
  }
}

package dev.rmr1.cuda;

import static jcuda.driver.JCudaDriver.*;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * One GPU: its primary context (the one the CUDA runtime, hence cuBLAS, uses too), made current on
 * whichever thread computes before each driver call. All work goes to the default stream, so kernels, copies and cuBLAS
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
  /** The context this thread made current last (several devices may take turns on one thread). */
  private static final ThreadLocal<CudaContext> CURRENT = new ThreadLocal<>();

  CudaContext(int ordinal) {
    this.ordinal = ordinal;
    try {
      JCudaDriver.setExceptionsEnabled(true);
      cuInit(0);
    } catch (LinkageError | RuntimeException e) {
      // LinkageError: UnsatisfiedLinkError the first time JCuda's natives fail to load (no
      // libcuda.so.1), NoClassDefFoundError on every later attempt in this JVM.
      throw new IllegalStateException("CUDA is not available (no NVIDIA driver: libcuda.so.1 could not be loaded or initialised): " + cause(e), e);
    }
    int[] count = new int[1];
    cuDeviceGetCount(count);
    if (ordinal >= count[0]) throw new IllegalStateException("cuda:" + ordinal + " requested but " + count[0] + " CUDA device(s) present");
    cuDeviceGet(device, ordinal);
    cuDevicePrimaryCtxRetain(context, device);
    cuCtxSetCurrent(context);
    CURRENT.set(this);
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

  /**
   * The telling line of a driver-loading failure: JCuda's message nests whole stack traces, whose
   * informative line names libcuda.so.1 (for example "libcuda.so.1: cannot open shared object file").
   */
  static String cause(Throwable e) {
    String m = String.valueOf(e.getMessage());
    String first = m.lines().findFirst().orElse(m).strip();
    String lib = m.lines().filter(l -> l.contains("libcuda") && !l.strip().startsWith("at ")).reduce((a, b) -> b).orElse(null);
    String line = lib != null ? lib.strip() : first;
    return e.getClass().getSimpleName() + ": " + (line.length() > 300 ? line.substring(0, 300) + "..." : line);
  }

  int attribute(int attr) {
    int[] v = new int[1];
    cuDeviceGetAttribute(v, attr, device);
    return v[0];
  }

  /** Makes this device's context current on the calling thread (cheap after the first call). */
  void makeCurrent() {
    if (CURRENT.get() != this) {
      cuCtxSetCurrent(context);
      CURRENT.set(this);
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

package dev.rmr1.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching device allocator: freed blocks go back to a free list per rounded size and are reused
 * by the next allocation of that size, so a training step does not call cuMemAlloc per temporary
 * (the same idea as PyTorch's CUDACachingAllocator, much simplified). Blocks are reused
 * immediately on free, which is safe because all work runs on one stream, in order.
 */
final class DeviceAllocator {
  private final CudaContext ctx;
  private final Map<Long, ArrayDeque<DevicePointer>> free = new HashMap<>();
  private long cachedBytes;
  private long liveBytes;
  private long peakBytes;

  DeviceAllocator(CudaContext ctx) {
    this.ctx = ctx;
  }

  /** Sizes: multiples of 512 B up to 1 MiB, then multiples of 2 MiB, so blocks are reused across similar requests. */
  static long roundSize(long bytes) {
    long b = Math.max(512, bytes);
    return b <= (1 << 20) ? (b + 511) / 512 * 512 : (b + (2 << 20) - 1) / (2 << 20) * (2 << 20);
  }

  synchronized DevicePointer allocate(long bytes) {
    long size = roundSize(bytes);
    ArrayDeque<DevicePointer> list = free.get(size);
    DevicePointer p = list == null ? null : list.poll();
    if (p != null) {
      cachedBytes -= size;
    } else {
      ctx.makeCurrent();
      p = new DevicePointer();
      try {
        cuMemAlloc(p, size);
      } catch (RuntimeException outOfMemory) {
        releaseCached();
        try {
          cuMemAlloc(p, size);
        } catch (RuntimeException e) {
          throw new IllegalStateException("CUDA out of memory allocating " + size + " bytes on " + ctx + " (" + liveBytes
              + " bytes live): " + e.getMessage(), e);
        }
      }
    }
    liveBytes += size;
    peakBytes = Math.max(peakBytes, liveBytes);
    return p;
  }

  synchronized void release(DevicePointer p, long bytes) {
    long size = roundSize(bytes);
    free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(p);
    cachedBytes += size;
    liveBytes -= size;
  }

  /** Returns every cached block to the driver (like torch.cuda.empty_cache()). */
  synchronized void releaseCached() {
    ctx.makeCurrent();
    for (ArrayDeque<DevicePointer> list : free.values()) for (DevicePointer p : list) cuMemFree(p);
    free.clear();
    cachedBytes = 0;
  }

  synchronized long liveBytes() {
    return liveBytes;
  }

  synchronized long cachedBytes() {
    return cachedBytes;
  }

  synchronized long peakBytes() {
    return peakBytes;
  }
}

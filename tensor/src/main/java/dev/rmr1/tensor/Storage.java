package dev.rmr1.tensor;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reference-counted block of device memory. Tensors (and views of them) hold references; the
 * memory is freed, deterministically, when the last one is released. Nothing here assumes host
 * memory: the CPU backend's storage holds a {@code MemorySegment}, a GPU backend's a device pointer.
 */
public abstract class Storage {
  private final AtomicInteger refs = new AtomicInteger(1);
  private final long byteSize;

  protected Storage(long byteSize) {
    this.byteSize = byteSize;
  }

  public abstract Device device();

  public final long byteSize() {
    return byteSize;
  }

  public final boolean isFreed() {
    return refs.get() <= 0;
  }

  /** More than one reference (several tensor handles or views) holds this storage. */
  final boolean isShared() {
    return refs.get() > 1;
  }

  public final void retain() {
    int r;
    do {
      r = refs.get();
      if (r <= 0) throw new IllegalStateException("storage was already freed");
    } while (!refs.compareAndSet(r, r + 1));
  }

  public final void release() {
    int r = refs.decrementAndGet();
    if (r == 0) free();
    else if (r < 0) throw new IllegalStateException("storage released more often than retained");
  }

  /** Returns the memory to its device; called once, when the last reference goes. */
  protected abstract void free();
}

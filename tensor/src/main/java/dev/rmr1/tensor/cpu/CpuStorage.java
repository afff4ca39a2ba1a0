package dev.rmr1.tensor.cpu;

import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Storage;
import java.lang.foreign.MemorySegment;

/**
 * Host memory of the CPU backend: either owned native memory ({@link NativeMemory}) or a segment
 * owned by someone else (a memory-mapped file, a Java array) with a callback run when the last
 * reference goes.
 */
public final class CpuStorage extends Storage {
  private final MemorySegment segment;
  private final Runnable onFree;

  private CpuStorage(MemorySegment segment, Runnable onFree) {
    super(segment.byteSize());
    this.segment = segment;
    this.onFree = onFree;
  }

  /** Fresh native memory. */
  public static CpuStorage allocate(long bytes) {
    MemorySegment s = NativeMemory.allocate(bytes);
    return new CpuStorage(s, () -> NativeMemory.free(s));
  }

  /** Wraps memory owned elsewhere; {@code onFree} (may be null) runs when the last reference goes. */
  public static CpuStorage wrap(MemorySegment segment, Runnable onFree) {
    return new CpuStorage(segment, onFree);
  }

  public MemorySegment segment() {
    if (isFreed()) throw new IllegalStateException("CPU storage was freed");
    return segment;
  }

  @Override
  public Device device() {
    return Device.CPU;
  }

  @Override
  protected void free() {
    if (onFree != null) onFree.run();
  }
}

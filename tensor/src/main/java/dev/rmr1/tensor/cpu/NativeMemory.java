package dev.rmr1.tensor.cpu;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * 64-byte aligned off-heap memory from the C library ({@code aligned_alloc}/{@code free}), freed
 * when the owning storage's last reference goes rather than by the garbage collector. Live bytes are
 * counted so tests can show that a loop keeps native memory flat.
 */
public final class NativeMemory {
  public static final long ALIGNMENT = 64;
  private static final MethodHandle ALIGNED_ALLOC;
  private static final MethodHandle FREE;
  private static final AtomicLong LIVE_BYTES = new AtomicLong();
  private static final AtomicLong PEAK_BYTES = new AtomicLong();

  static {
    Linker linker = Linker.nativeLinker();
    var libc = linker.defaultLookup();
    ALIGNED_ALLOC = linker.downcallHandle(
        libc.find("aligned_alloc").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    FREE = linker.downcallHandle(libc.find("free").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
  }

  private NativeMemory() {}

  /** Uninitialised memory of {@code bytes} bytes (rounded up to the alignment). */
  public static MemorySegment allocate(long bytes) {
    long size = Math.max(ALIGNMENT, (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
    MemorySegment p;
    try {
      p = (MemorySegment) ALIGNED_ALLOC.invokeExact(ALIGNMENT, size);
    } catch (Throwable t) {
      throw new IllegalStateException("aligned_alloc failed", t);
    }
    if (p.address() == 0) throw new OutOfMemoryError("native allocation of " + size + " bytes failed");
    long live = LIVE_BYTES.addAndGet(size);
    PEAK_BYTES.accumulateAndGet(live, Math::max);
    return p.reinterpret(size);
  }

  public static void free(MemorySegment segment) {
    try {
      FREE.invokeExact(MemorySegment.ofAddress(segment.address()));
    } catch (Throwable t) {
      throw new IllegalStateException("free failed", t);
    }
    LIVE_BYTES.addAndGet(-segment.byteSize());
  }

  /** Bytes currently allocated by this class. */
  public static long liveBytes() {
    return LIVE_BYTES.get();
  }

  /** Highest {@link #liveBytes()} seen since start or the last {@link #resetPeak()}. */
  public static long peakBytes() {
    return PEAK_BYTES.get();
  }

  public static void resetPeak() {
    PEAK_BYTES.set(LIVE_BYTES.get());
  }
}

package dev.rmr1.tensor.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A whole file memory-mapped read-only into one {@link MemorySegment} (64-bit offsets: no 2 GB
 * limit), shared by the file object and every tensor read from it. It is reference counted: the
 * opener holds one count and each tensor's storage another; the mapping is unmapped (its shared
 * {@link Arena} closed) as soon as the last count is released, not when the garbage collector
 * gets around to it. The channel is closed right after mapping: a mapping does not need it.
 */
final class MappedFile {
  private static final AtomicInteger LIVE = new AtomicInteger();

  private final Path path;
  private final Arena arena;
  private final MemorySegment segment;
  private final AtomicInteger refs = new AtomicInteger(1);

  private MappedFile(Path path, Arena arena, MemorySegment segment) {
    this.path = path;
    this.arena = arena;
    this.segment = segment;
  }

  static MappedFile map(Path path) {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      // A shared arena: tensors may be closed, and so the mapping released, on any thread.
      Arena arena = Arena.ofShared();
      try {
        MemorySegment segment = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        LIVE.incrementAndGet();
        return new MappedFile(path, arena, segment);
      } catch (IOException | RuntimeException e) {
        arena.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot map safetensors file " + path + ": " + e, e);
    }
  }

  /** The whole file, read-only; valid until the last count is released. */
  MemorySegment segment() {
    return segment;
  }

  void retain() {
    int r;
    do {
      r = refs.get();
      if (r <= 0) throw new IllegalStateException(path + " was closed and unmapped");
    } while (!refs.compareAndSet(r, r + 1));
  }

  void release() {
    int r = refs.decrementAndGet();
    if (r == 0) {
      arena.close();
      LIVE.decrementAndGet();
    } else if (r < 0) {
      throw new IllegalStateException("mapping of " + path + " released more often than retained");
    }
  }

  /** Mappings currently alive in this process (for tests that show release is deterministic). */
  static int liveMappings() {
    return LIVE.get();
  }
}

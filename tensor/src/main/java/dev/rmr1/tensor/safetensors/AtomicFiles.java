package dev.rmr1.tensor.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file replacement: the content goes to a temporary file in the target's directory,
 * is forced to disk, and is renamed over the target in one atomic step, after which the directory
 * is forced too. A crash leaves either the old file or the new one, never a truncated mix; and a
 * reader that has the old file memory-mapped keeps reading the old content (a rename never
 * truncates the old inode, which would crash a process mapping it).
 */
final class AtomicFiles {
  /** Writes the content to an open channel. */
  interface Content {
    void writeTo(FileChannel out) throws IOException;
  }

  private AtomicFiles() {}

  static void write(Path target, Content content) {
    Path dir = target.toAbsolutePath().normalize().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
    boolean moved = false;
    try {
      Files.createDirectories(dir);
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        content.writeTo(out);
        out.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
      forceDirectory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e, e);
    } finally {
      if (!moved) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the original failure is the one worth reporting
        }
      }
    }
  }

  static void write(Path target, byte[] content) {
    write(target, out -> writeFully(out, ByteBuffer.wrap(content)));
  }

  static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) out.write(b);
  }

  /** Makes the rename itself durable; Linux and macOS allow forcing a directory, Windows does not. */
  private static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Not supported on this platform: the file content itself is already on disk.
    }
  }
}

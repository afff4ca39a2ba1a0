package dev.rmr1.training.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe replacement of small files (pointers, JSON state, PNGs): the bytes go to a temporary
 * file beside the target, are forced to disk, and are renamed over the target in one step; then the
 * directory is forced. A reader sees the old content or the new, never a torn mix.
 */
public final class AtomicFile {
  private AtomicFile() {}

  public static void write(Path target, byte[] content) {
    Path dir = target.toAbsolutePath().normalize().getParent();
    Path tmp = dir.resolve("." + target.getFileName() + ".partial");
    try {
      Files.createDirectories(dir);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) ch.write(b);
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory(dir);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the write failure is the one to report
      }
      throw new UncheckedIOException("cannot write " + target + ": " + e, e);
    }
  }

  /**
   * Forces a directory's entries (a rename into it, a new file) to disk. Linux and macOS allow it;
   * where the platform refuses, the file contents are on disk already and only the entry may lag.
   */
  public static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // not supported here (see above)
    }
  }
}

package dev.rmr1.tensor.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file replacement, the one way this project writes a file that must never be seen torn
 * (safetensors, optimizer state, configs, pointers, logs): the content goes to a new temporary file
 * in the target's directory, is forced to disk, and is renamed over the target in one atomic step,
 * after which the directory is forced too. A crash leaves either the old file or the new one, never a
 * truncated mix; a reader that has the old file memory-mapped keeps reading the old content (a
 * rename never truncates the old inode, which would crash a process mapping it); and concurrent
 * writers of one target never share a temporary file (each creates its own, CREATE_NEW), the last
 * rename winning. The file gets the usual (umask) permissions, not createTempFile's 0600.
 */
public final class AtomicFiles {
  /** Writes the content to an open channel (positioned at 0 of an empty file). */
  @FunctionalInterface
  public interface Content {
    void writeTo(FileChannel out) throws IOException;
  }

  private AtomicFiles() {}

  /**
   * Replaces {@code target} with what {@code content} writes, creating parent directories. If
   * {@code content} throws, that exception propagates as it is, the old file (if any) is untouched
   * and the temporary file is removed.
   *
   * @throws UncheckedIOException naming the target, when the file system fails (or {@code content}
   *     throws an IOException)
   */
  public static void write(Path target, Content content) {
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

  /** Replaces {@code target} with {@code content}. */
  public static void write(Path target, byte[] content) {
    write(target, out -> writeFully(out, ByteBuffer.wrap(content)));
  }

  /** Replaces {@code target} with {@code text} in UTF-8. */
  public static void writeString(Path target, String text) {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes all of {@code b} (a channel write may take only part of it). */
  public static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) out.write(b);
  }

  /**
   * Forces a directory's entries (a rename into it, a new file) to disk, which makes a rename
   * durable. Linux and macOS allow it; where the platform refuses (Windows cannot open a
   * directory), the file contents are on disk already and only the entry may lag.
   */
  public static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // not supported here (see above)
    }
  }
}

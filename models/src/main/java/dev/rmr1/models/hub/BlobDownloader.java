package dev.rmr1.models.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Downloads one file into the cache's {@code blobs/{etag}}: bytes go to {@code blobs/{etag}.incomplete},
 * a later run (or a retry after a cut connection) continues it with {@code Range: bytes=N-}, and only
 * a file whose size and hash match what the Hub announced is renamed to its final name. A lock file
 * in {@code .locks/} (and a lock inside this JVM) keeps two downloads of the same blob apart.
 */
final class BlobDownloader {
  private static final int BUFFER = 1 << 20;
  private static final long PROGRESS_INTERVAL_NANOS = 200_000_000L;
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final HubClient client;
  private final DownloadOptions options;

  BlobDownloader(HubClient client, DownloadOptions options) {
    this.client = client;
    this.options = options;
  }

  /** The download was cut before the last byte; {@code have} bytes are on disk. */
  private static final class Cut extends Exception {
    private static final long serialVersionUID = 1L;
    final long have;

    Cut(long have, Throwable cause) {
      super(cause);
      this.have = have;
    }
  }

  /** The running hash of the bytes {@code [0, hashed)} of the incomplete file. */
  private static final class RunningHash {
    final ContentHash hash;
    MessageDigest digest;
    long hashed;

    RunningHash(ContentHash hash) {
      this.hash = hash;
      reset();
    }

    void reset() {
      digest = hash.start();
      hashed = 0;
    }
  }

  /**
   * Ensures {@code cache}'s blob for {@code meta} exists and is verified; returns its path.
   *
   * @param label the file name, for the progress bar and messages
   */
  Path download(HubCache cache, HubClient.FileMetadata meta, String label) {
    Path blob = cache.blob(meta.etag());
    Path part = cache.incompleteBlob(meta.etag());
    Path lockPath = cache.lockFile(meta.etag());
    try {
      Files.createDirectories(blob.getParent());
      Files.createDirectories(lockPath.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create cache folders under " + cache.folder(), e);
    }
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockPath.toAbsolutePath().normalize(), k -> new ReentrantLock());
    jvmLock.lock();
    try (FileChannel lockChannel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      lockChannel.lock(); // held until the channel closes
      if (Files.exists(blob)) return blob; // another process finished it while we waited
      fetchWithRetries(part, meta, label);
      Files.move(part, blob, StandardCopyOption.ATOMIC_MOVE);
      return blob;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + part + " or move it to " + blob, e);
    } finally {
      jvmLock.unlock();
    }
  }

  private void fetchWithRetries(Path part, HubClient.FileMetadata meta, String label) throws IOException {
    Optional<RunningHash> hash = ContentHash.forEtag(meta.etag(), meta.size()).map(RunningHash::new);
    if (hash.isEmpty()) {
      options.log().println("note: the Hub's ETag '" + meta.etag() + "' of " + label
          + " is not a sha256 or git sha1; only its size is checked");
    }
    for (int attempt = 0; ; attempt++) {
      try {
        fetchOnce(part, meta, label, hash);
        return;
      } catch (Cut cut) {
        if (attempt >= options.maxRetries()) {
          throw new HubException(HubException.Kind.UNREACHABLE, 0, "download of " + label + " from "
              + meta.location().getHost() + " was cut at " + cut.have + " of " + meta.size() + " bytes"
              + (options.maxRetries() > 0 ? " and " + options.maxRetries() + " resumes failed" : "")
              + "; run again to resume from " + part, cut.getCause());
        }
        options.log().println("connection lost while downloading " + label + " at " + cut.have + " of "
            + meta.size() + " bytes (" + cut.getCause() + "); resuming (" + (attempt + 1) + "/"
            + options.maxRetries() + ")");
        sleep(options.retryDelay().toMillis());
      }
    }
  }

  private void fetchOnce(Path part, HubClient.FileMetadata meta, String label, Optional<RunningHash> hash)
      throws IOException, Cut {
    long size = meta.size();
    long have = Files.exists(part) ? Files.size(part) : 0;
    if (have > size) {
      Files.delete(part); // longer than the file: not a prefix of it
      have = 0;
    }
    HttpResponse<InputStream> response = null;
    if (have < size) {
      checkDiskSpace(part, size - have);
      response = client.openDownload(meta.location(), have, "downloading " + label);
      if (response.statusCode() == 200 && have > 0) {
        have = 0; // the server ignored the Range header and sends the whole file
      } else if (response.statusCode() == 206) {
        checkContentRange(response, have, label);
      }
    }
    try (InputStream body = response == null ? null : response.body();
        FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      out.truncate(have);
      out.position(have);
      if (hash.isPresent()) catchUp(hash.get(), out, have);
      if (body != null) have = copy(body, out, have, meta, label, hash);
    }
    if (have < size) throw new Cut(have, new IOException("the response ended early"));
    if (hash.isPresent()) {
      Optional<String> actual = hash.get().hash.mismatch(hash.get().digest);
      hash.get().reset();
      if (actual.isPresent()) {
        Files.deleteIfExists(part);
        throw new HubException(HubException.Kind.VERIFICATION, 0, label + " from " + meta.location()
            + " fails verification: " + hash.get().hash.describe() + " should be " + hash.get().hash.expected()
            + " (the Hub's ETag) but is " + actual.get() + ". The corrupt download was deleted; run again.", null);
      }
    }
  }

  /** Brings the running hash up to the first {@code have} bytes of the file. */
  private static void catchUp(RunningHash h, FileChannel file, long have) throws IOException {
    if (h.hashed > have) h.reset();
    ByteBuffer buf = ByteBuffer.allocate(BUFFER);
    while (h.hashed < have) {
      buf.clear().limit((int) Math.min(BUFFER, have - h.hashed));
      int n = file.read(buf, h.hashed);
      if (n < 0) throw new IOException("file shrank while hashing");
      buf.flip();
      h.digest.update(buf);
      h.hashed += n;
    }
  }

  private long copy(InputStream body, FileChannel out, long have, HubClient.FileMetadata meta, String label,
      Optional<RunningHash> hash) throws IOException, Cut {
    long size = meta.size();
    ProgressBar bar = size >= options.progressThresholdBytes()
        ? new ProgressBar(options.log(), label, size, have, PROGRESS_INTERVAL_NANOS) : null;
    byte[] buf = new byte[BUFFER];
    try {
      while (true) {
        int n;
        try {
          n = body.read(buf);
        } catch (IOException e) {
          throw new Cut(have, e);
        }
        if (n < 0) break;
        if (have + n > size) {
          out.truncate(0);
          throw new HubException(HubException.Kind.VERIFICATION, 0, label + " from " + meta.location()
              + " is longer than the " + size + " bytes the Hub announced; the download was discarded.", null);
        }
        ByteBuffer chunk = ByteBuffer.wrap(buf, 0, n);
        while (chunk.hasRemaining()) out.write(chunk);
        if (hash.isPresent()) {
          hash.get().digest.update(buf, 0, n);
          hash.get().hashed += n;
        }
        have += n;
        if (bar != null) bar.advance(n);
      }
    } finally {
      if (bar != null) bar.finish();
    }
    return have;
  }

  private static void checkContentRange(HttpResponse<InputStream> r, long have, String label) {
    String range = r.headers().firstValue("Content-Range").orElse("");
    if (!range.startsWith("bytes " + have + "-")) {
      try {
        r.body().close();
      } catch (IOException ignored) {
        // abandoning the response
      }
      throw new HubException(HubException.Kind.PROTOCOL, 206, "resuming " + label + " at byte " + have
          + ": the server answered Content-Range '" + range + "' for " + r.request().uri(), null);
    }
  }

  private static void checkDiskSpace(Path part, long needed) throws IOException {
    long usable = Files.getFileStore(part.getParent()).getUsableSpace();
    if (usable < needed) {
      throw new UncheckedIOException(new IOException("not enough disk space in " + part.getParent() + ": "
          + ProgressBar.bytes(needed) + " needed, " + ProgressBar.bytes(usable) + " free"));
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      CancellationException c = new CancellationException("interrupted while waiting to resume a download");
      c.initCause(e);
      throw c;
    }
  }
}

package dev.rmr1.models.hub;

import dev.rmr1.tensor.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * One repository's folder in the Hugging Face cache, laid out as huggingface_hub lays it out (so the
 * two share a cache):
 *
 * <pre>
 * {cache}/models--ORG--NAME/
 *   blobs/{etag}                       file contents, named by git blob sha-1 or LFS sha-256
 *   blobs/{etag}.incomplete            a download in progress (resumed from its length)
 *   refs/{revision}                    the commit hash a branch or tag pointed to when last resolved
 *   snapshots/{commit}/{filename}  ->  ../../blobs/{etag} (relative symbolic link)
 * {cache}/.locks/models--ORG--NAME/{etag}.lock
 * </pre>
 */
public final class HubCache {
  private final Path cacheRoot;
  private final String folderName;
  private final Path folder;

  /** The folder of repository {@code repoId} ({@code ORG/NAME}) in the cache at {@code cacheRoot}. */
  public HubCache(Path cacheRoot, String repoId) {
    this.cacheRoot = cacheRoot;
    this.folderName = new RepoRef(repoId, RepoRef.DEFAULT_REVISION).cacheFolderName();
    this.folder = cacheRoot.resolve(folderName);
  }

  /** The repository folder {@code models--ORG--NAME}. */
  public Path folder() {
    return folder;
  }

  public Path blob(String etag) {
    return folder.resolve("blobs").resolve(safeName(etag, "etag"));
  }

  public Path incompleteBlob(String etag) {
    return folder.resolve("blobs").resolve(safeName(etag, "etag") + ".incomplete");
  }

  public Path lockFile(String etag) {
    return cacheRoot.resolve(".locks").resolve(folderName).resolve(safeName(etag, "etag") + ".lock");
  }

  public Path snapshotDir(String commit) {
    return folder.resolve("snapshots").resolve(safeName(commit, "commit"));
  }

  /** {@code snapshots/{commit}/{filename}}; {@code filename} may contain {@code /} (sub-folders). */
  public Path snapshotFile(String commit, String filename) {
    Path dir = snapshotDir(commit);
    Path file = dir.resolve(filename).normalize();
    if (filename.startsWith("/") || !file.startsWith(dir) || file.equals(dir)) {
      throw new IllegalArgumentException("file name '" + filename + "' would leave the snapshot folder");
    }
    return file;
  }

  /**
   * The commit a revision names: itself for a commit hash, else the content of {@code
   * refs/{revision}} if this cache has resolved that revision before.
   */
  public Optional<String> commitFor(String revision) {
    if (RepoRef.isCommitHash(revision)) return Optional.of(revision);
    Path ref = refFile(revision);
    if (!Files.isRegularFile(ref)) return Optional.empty();
    try {
      String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
      if (!RepoRef.isCommitHash(commit)) {
        throw new IllegalStateException(ref + " should hold a 40-hex commit hash, holds '" + commit + "'");
      }
      return Optional.of(commit);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ref, e);
    }
  }

  /** Records that {@code revision} now points at {@code commit} (nothing for a commit hash). */
  public void writeRef(String revision, String commit) {
    if (revision.equals(commit)) return;
    AtomicFiles.writeString(refFile(revision), commit); // resolutions may run concurrently: each writer has its own temporary file
  }

  private Path refFile(String revision) {
    Path refs = folder.resolve("refs");
    Path ref = refs.resolve(revision).normalize();
    if (!ref.startsWith(refs) || ref.equals(refs)) {
      throw new IllegalArgumentException("revision '" + revision + "' would leave the refs folder");
    }
    return ref;
  }

  /**
   * Makes {@code snapshots/{commit}/{filename}} a relative link to {@code blob}, replacing what was
   * there. Where the file system has no symbolic links the blob is copied instead (as
   * huggingface_hub does on such systems).
   */
  public Path link(String commit, String filename, Path blob) {
    Path pointer = snapshotFile(commit, filename);
    try {
      Files.createDirectories(pointer.getParent());
      if (Files.exists(pointer) && Files.isSameFile(pointer, blob)) return pointer;
      // Link under a temporary name, then rename over the pointer: a concurrent reader of the
      // snapshot sees the old file or the new one, never a missing one.
      Path tmp = pointer.resolveSibling(pointer.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
      try {
        Files.createSymbolicLink(tmp, pointer.getParent().relativize(blob));
      } catch (UnsupportedOperationException | FileSystemException e) {
        Files.copy(blob, tmp); // no symbolic links here (e.g. Windows without the privilege)
      }
      Files.move(tmp, pointer, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return pointer;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot link " + pointer + " to " + blob, e);
    }
  }

  /** Whether {@code dir} looks like a repository folder of a Hugging Face cache. */
  public static boolean isRepoFolder(Path dir) {
    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
    return name.startsWith("models--") && Files.isDirectory(dir.resolve("snapshots"));
  }

  /** A name from the network used as a file name: no separators, no dot-only names. */
  private static String safeName(String name, String what) {
    if (name.isEmpty() || name.equals(".") || name.equals("..") || !name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("unsafe " + what + " '" + name + "' (expected letters, digits, '.', '_', '-')");
    }
    return name;
  }
}

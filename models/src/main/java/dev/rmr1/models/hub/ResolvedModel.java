package dev.rmr1.models.hub;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a model reference led: a directory holding {@code config.json}, the weights and whatever
 * tokenizer files the model has.
 *
 * @param directory the model directory (for the Hub: {@code snapshots/{commit}} in the cache)
 * @param source how it was found
 * @param repo the Hub repository and requested revision, for Hub references
 * @param commit the commit of the snapshot, for Hub references
 */
public record ResolvedModel(Path directory, Source source, Optional<RepoRef> repo, Optional<String> commit) {
  public enum Source {
    /** A directory given by path. */
    LOCAL_DIRECTORY,
    /** A snapshot already in the Hugging Face cache, used without asking the Hub (offline, or the Hub unreachable). */
    CACHE,
    /** Checked against the Hub: the revision was resolved online and missing files were downloaded. */
    HUB
  }

  public ResolvedModel {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(repo, "repo");
    Objects.requireNonNull(commit, "commit");
  }

  /** A file of the model, e.g. {@code file("config.json")}. */
  public Path file(String name) {
    return directory.resolve(name);
  }
}

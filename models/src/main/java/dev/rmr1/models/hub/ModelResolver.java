package dev.rmr1.models.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns what a user types for {@code --model} into a model directory:
 *
 * <ol>
 *   <li>an existing directory ({@code ~/} expanded), e.g. one written by {@code save_pretrained} or a
 *       cache snapshot {@code .../models--ORG--NAME/snapshots/{commit}};
 *   <li>a cache repository folder {@code .../models--ORG--NAME}: the snapshot its {@code refs/main}
 *       names;
 *   <li>otherwise {@code ORG/NAME[@revision]}: the Hub repository, through the Hugging Face cache
 *       (see {@link SnapshotDownloader}).
 * </ol>
 *
 * A directory must hold {@code config.json} and its safetensors weights (all shards of an index).
 */
public final class ModelResolver {
  private final SnapshotDownloader snapshots;
  private final Path home;

  public ModelResolver(HubEnvironment env, DownloadOptions options) {
    this.snapshots = new SnapshotDownloader(env, options);
    this.home = Path.of(System.getProperty("user.home"));
  }

  /** Reads the {@code HF_*} environment variables; progress on standard error. */
  public static ModelResolver fromEnvironment() {
    return new ModelResolver(HubEnvironment.fromSystem(), DownloadOptions.defaults());
  }

  /**
   * @throws IllegalArgumentException for a reference that is neither a usable directory nor a Hub id
   * @throws HubException when the Hub cannot provide the model
   */
  public ResolvedModel resolve(String reference) {
    Objects.requireNonNull(reference, "reference");
    String ref = reference.strip();
    if (ref.isEmpty()) throw new IllegalArgumentException("empty model reference");
    Path path = expandHome(ref);
    if (Files.isDirectory(path)) {
      return HubCache.isRepoFolder(path) ? cachedRepoFolder(path) : local(path, ResolvedModel.Source.LOCAL_DIRECTORY);
    }
    if (Files.exists(path)) {
      throw new IllegalArgumentException("model reference '" + ref + "' is a file; expected a model directory or"
          + " a Hub repository ORG/NAME[@revision]");
    }
    if (looksLikePath(ref)) throw new IllegalArgumentException("model directory " + path + " does not exist");
    RepoRef repo;
    try {
      repo = RepoRef.parse(ref);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("model reference '" + ref + "' is neither an existing directory nor a"
          + " Hub repository ORG/NAME[@revision]: " + e.getMessage(), e);
    }
    return snapshots.resolve(repo);
  }

  private ResolvedModel local(Path dir, ResolvedModel.Source source) {
    List<String> missing = ModelFiles.missing(dir);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("model directory " + dir + " lacks " + String.join(", ", missing));
    }
    return new ResolvedModel(dir, source, Optional.empty(), Optional.empty());
  }

  private ResolvedModel cachedRepoFolder(Path folder) {
    Path ref = folder.resolve("refs").resolve(RepoRef.DEFAULT_REVISION);
    String commit;
    try {
      commit = Files.readString(ref).strip();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(folder + " is a Hugging Face cache folder without a readable refs/main;"
          + " pass one of its snapshots/{commit} folders instead", e);
    }
    Path snapshot = folder.resolve("snapshots").resolve(commit);
    if (!RepoRef.isCommitHash(commit) || !Files.isDirectory(snapshot)) {
      throw new IllegalArgumentException(ref + " names '" + commit + "', which is not a snapshot in " + folder);
    }
    ResolvedModel m = local(snapshot, ResolvedModel.Source.CACHE);
    return new ResolvedModel(m.directory(), m.source(), Optional.empty(), Optional.of(commit));
  }

  private Path expandHome(String ref) {
    if (ref.equals("~")) return home;
    if (ref.startsWith("~/")) return home.resolve(ref.substring(2));
    return Path.of(ref);
  }

  /** Hub ids are ORG/NAME: anything shaped like a file path is reported as a missing directory. */
  private static boolean looksLikePath(String ref) {
    String beforeRevision = ref.contains("@") ? ref.substring(0, ref.indexOf('@')) : ref;
    return ref.startsWith("/") || ref.startsWith(".") || ref.startsWith("~") || ref.contains("\\")
        || beforeRevision.endsWith("/") || beforeRevision.chars().filter(c -> c == '/').count() > 1;
  }
}

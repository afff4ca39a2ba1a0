package dev.rmr1.models.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Resolves a Hub repository at a revision to a complete snapshot folder in the Hugging Face cache,
 * downloading what is missing ({@link ModelFiles} decides which files), like huggingface_hub's
 * {@code snapshot_download} restricted to those files:
 *
 * <ol>
 *   <li>Ask the Hub which commit the revision points at and which files it has.
 *   <li>For each needed file not yet in {@code snapshots/{commit}/}: HEAD for its hash and size,
 *       download the blob unless another snapshot already has it, link it into the snapshot.
 *   <li>Record {@code refs/{revision} = commit}.
 * </ol>
 *
 * Offline ({@code HF_HUB_OFFLINE}), or when the Hub is unreachable, failing or refuses access, the
 * snapshot that {@code refs/{revision}} (or a commit hash) names is used if it is complete.
 */
public final class SnapshotDownloader {
  private final HubEnvironment env;
  private final HubClient client;
  private final BlobDownloader blobs;
  private final DownloadOptions options;

  public SnapshotDownloader(HubEnvironment env, DownloadOptions options) {
    this.env = Objects.requireNonNull(env, "env");
    this.options = Objects.requireNonNull(options, "options");
    this.client = new HubClient(env);
    this.blobs = new BlobDownloader(client, options);
  }

  /** The snapshot folder of {@code ref}, complete with the files this project needs. */
  public ResolvedModel resolve(RepoRef ref) {
    HubCache cache = new HubCache(env.hubCache(), ref.repoId());
    if (env.offline()) return fromCache(cache, ref, null);
    HubClient.RepoInfo info;
    try {
      info = client.repoInfo(ref);
    } catch (HubException e) {
      if (e.cacheMayAnswer()) return fromCache(cache, ref, e);
      throw e;
    }
    String commit = info.commit();
    String where = ref + " (commit " + commit + ")";
    if (!info.files().contains(ModelFiles.CONFIG)) {
      throw new HubException(HubException.Kind.NOT_FOUND, where + " has no " + ModelFiles.CONFIG
          + ": not a transformers model repository");
    }
    for (String f : ModelFiles.metadataFiles(info.files())) fetch(cache, ref, commit, f);
    List<String> weights;
    try {
      weights = ModelFiles.weightFiles(cache.snapshotDir(commit), info.files(), where);
    } catch (IllegalStateException e) {
      throw new HubException(HubException.Kind.NOT_FOUND, 0, e.getMessage(), e);
    }
    for (String f : weights) fetch(cache, ref, commit, f);
    cache.writeRef(ref.revision(), commit);
    return new ResolvedModel(cache.snapshotDir(commit), ResolvedModel.Source.HUB, Optional.of(ref), Optional.of(commit));
  }

  private void fetch(HubCache cache, RepoRef ref, String commit, String filename) {
    if (Files.exists(cache.snapshotFile(commit, filename))) return; // a commit's files never change
    HubClient.FileMetadata meta = client.fileMetadata(ref.repoId(), commit, filename);
    if (!meta.commit().equals(commit)) {
      throw new HubException(HubException.Kind.PROTOCOL, "asked for " + filename + " of " + ref.repoId()
          + " at commit " + commit + " but the Hub answered for commit " + meta.commit());
    }
    Path blob = cache.blob(meta.etag());
    if (!Files.exists(blob)) blobs.download(cache, meta, filename);
    cache.link(commit, filename, blob);
  }

  private ResolvedModel fromCache(HubCache cache, RepoRef ref, HubException cause) {
    Optional<String> commit = cache.commitFor(ref.revision());
    Path dir = commit.map(cache::snapshotDir).orElse(null);
    String problem = null;
    if (dir == null) {
      problem = cache.folder() + " has no refs/" + ref.revision();
    } else if (!Files.isDirectory(dir)) {
      problem = "there is no snapshot " + dir;
    } else {
      List<String> missing = ModelFiles.missing(dir);
      if (!missing.isEmpty()) problem = "the cached snapshot " + dir + " lacks " + String.join(", ", missing);
    }
    if (problem != null) {
      if (cause == null) {
        throw new HubException(HubException.Kind.OFFLINE, "HF_HUB_OFFLINE is set and " + ref
            + " is not in the cache: " + problem + ". Unset HF_HUB_OFFLINE to download it.");
      }
      throw new HubException(cause.kind(), cause.status().orElse(0), cause.getMessage()
          + " No complete cached copy to use instead: " + problem + ".", cause);
    }
    if (cause != null) options.log().println("note: " + cause.getMessage() + " Using the cached snapshot " + dir);
    return new ResolvedModel(dir, ResolvedModel.Source.CACHE, Optional.of(ref), commit);
  }
}

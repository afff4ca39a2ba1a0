package dev.rmr1.models.hub;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A model repository on the Hub and a revision: {@code ORG/NAME[@revision]}, where the revision is a
 * branch, a tag, or a 40-hex commit hash (default {@code main}). Repository ids follow
 * huggingface_hub's {@code validate_repo_id}: one optional namespace, names of letters, digits,
 * {@code - _ .}, at most 96 characters, no {@code --} or {@code ..}.
 *
 * @param repoId {@code ORG/NAME} (or a bare {@code NAME})
 * @param revision branch, tag or commit hash
 */
public record RepoRef(String repoId, String revision) {
  public static final String DEFAULT_REVISION = "main";
  private static final Pattern REPO_ID = Pattern.compile("(\\b[\\w\\-.]+\\b/)?\\b[\\w\\-.]{1,96}\\b");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  public RepoRef {
    Objects.requireNonNull(repoId, "repoId");
    Objects.requireNonNull(revision, "revision");
    if (!REPO_ID.matcher(repoId).matches() || repoId.contains("--") || repoId.contains("..")
        || repoId.endsWith(".git")) {
      throw new IllegalArgumentException("'" + repoId + "' is not a valid Hub repository id (expected ORG/NAME:"
          + " letters, digits, '-', '_', '.', no '--' or '..')");
    }
    if (revision.isEmpty() || revision.startsWith("/") || revision.endsWith("/") || revision.contains("..")
        || revision.contains("\\") || revision.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new IllegalArgumentException("'" + revision + "' is not a valid revision for " + repoId);
    }
  }

  /** Parses {@code ORG/NAME} or {@code ORG/NAME@revision}. */
  public static RepoRef parse(String reference) {
    int at = reference.indexOf('@');
    return at < 0
        ? new RepoRef(reference, DEFAULT_REVISION)
        : new RepoRef(reference.substring(0, at), reference.substring(at + 1));
  }

  /** Whether {@code revision} is a full commit hash (and so names an immutable snapshot). */
  public static boolean isCommitHash(String revision) {
    return COMMIT.matcher(revision).matches();
  }

  /** The cache folder name, {@code models--ORG--NAME}. */
  public String cacheFolderName() {
    return "models--" + repoId.replace("/", "--");
  }

  @Override
  public String toString() {
    return repoId + "@" + revision;
  }
}

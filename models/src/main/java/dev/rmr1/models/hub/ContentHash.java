package dev.rmr1.models.hub;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The hash the Hub announces for a file (its ETag) and how to check downloaded bytes against it. On
 * the Hub an LFS file's ETag is the sha-256 of its content (64 hex digits) and a regular file's ETag
 * is its git blob id: sha-1 of {@code "blob " + size + "\0" + content} (40 hex digits).
 *
 * @param algorithm {@code SHA-256} or {@code SHA-1}
 * @param expected lower-case hex digest
 * @param gitBlobSize for git blob ids, the size that goes into the {@code blob <size>\0} header; -1 for sha-256
 */
public record ContentHash(String algorithm, String expected, long gitBlobSize) {

  /** The check an ETag allows, or empty when it is neither form (then only the size is checked). */
  public static Optional<ContentHash> forEtag(String etag, long size) {
    String e = etag.toLowerCase(java.util.Locale.ROOT);
    if (e.matches("[0-9a-f]{64}")) return Optional.of(new ContentHash("SHA-256", e, -1));
    if (e.matches("[0-9a-f]{40}")) return Optional.of(new ContentHash("SHA-1", e, size));
    return Optional.empty();
  }

  /** A digest ready to be fed the file's bytes from the first on. */
  public MessageDigest start() {
    MessageDigest d;
    try {
      d = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JDK", e);
    }
    if (gitBlobSize >= 0) d.update(("blob " + gitBlobSize + "\0").getBytes(StandardCharsets.US_ASCII));
    return d;
  }

  /** The hex digest of {@code d} if it differs from the expected one. */
  public Optional<String> mismatch(MessageDigest d) {
    String actual = HexFormat.of().formatHex(d.digest());
    return actual.equals(expected) ? Optional.empty() : Optional.of(actual);
  }

  /** {@code sha256} or {@code git-sha1}, for messages. */
  public String describe() {
    return gitBlobSize >= 0 ? "git blob sha1" : "sha256";
  }
}

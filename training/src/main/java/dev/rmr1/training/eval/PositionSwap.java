package dev.rmr1.training.eval;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The seeded position of the chosen response (spec 8). Upstream draws {@code np.random.rand() > 0.5} per pair,
 * unseeded; here the swap is a pure function of (seed, comparison id), so it is reproducible, independent of the
 * order and batching of the run, and stable across resumes and machines:
 *
 * <pre>swapped = SHA-256(decimal(seed) + "\0" + UTF-8(id))[0] &amp; 1</pre>
 *
 * <p>{@code swapped} means the chosen response goes to slot B (upstream's {@code Is_Chosen_Answer_Shuffled_toPositionB}).
 */
public final class PositionSwap {
  private PositionSwap() {}

  public static boolean swapped(long seed, String comparisonId) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
    sha.update(Long.toString(seed).getBytes(StandardCharsets.US_ASCII));
    sha.update((byte) 0);
    byte[] h = sha.digest(comparisonId.getBytes(StandardCharsets.UTF_8));
    return (h[0] & 1) == 1;
  }
}

package dev.rmr1.models.hub;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ContentHashTest {

  @Test
  void sha256OfLfsFiles() {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    ContentHash h = ContentHash.forEtag("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", 3).orElseThrow();
    assertEquals("SHA-256", h.algorithm());
    MessageDigest d = h.start();
    d.update(abc);
    assertEquals(Optional.empty(), h.mismatch(d));
  }

  /** git's own ids: {@code git hash-object} of "hello world\n" and of an empty file. */
  @Test
  void gitBlobSha1OfRegularFiles() {
    byte[] hello = "hello world\n".getBytes(StandardCharsets.US_ASCII);
    ContentHash h = ContentHash.forEtag("3b18e512dba79e4c8300dd08aeb37f8e728b8dad", hello.length).orElseThrow();
    MessageDigest d = h.start();
    d.update(hello);
    assertEquals(Optional.empty(), h.mismatch(d));
    ContentHash empty = ContentHash.forEtag("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", 0).orElseThrow();
    assertEquals(Optional.empty(), empty.mismatch(empty.start()));
    MessageDigest wrong = h.start();
    wrong.update("hello world!".getBytes(StandardCharsets.US_ASCII));
    assertTrue(h.mismatch(wrong).isPresent());
  }

  @Test
  void otherEtagsAllowOnlyASizeCheck() {
    assertEquals(Optional.empty(), ContentHash.forEtag("abc-123", 5));
    assertEquals(Optional.empty(), ContentHash.forEtag("0123", 5));
  }

  /** Hashing in pieces (as a resumed download does) equals hashing at once, and one flipped bit is caught. */
  @Property(tries = 100)
  void piecewiseEqualsWholeAndDetectsAFlip(@ForAll byte[] content, @ForAll int cutSeed) {
    ContentHash h = ContentHash.forEtag(FakeHub.sha256(content), content.length).orElseThrow();
    ContentHash g = ContentHash.forEtag(FakeHub.gitSha1(content), content.length).orElseThrow();
    int cut = content.length == 0 ? 0 : Math.floorMod(cutSeed, content.length + 1);
    for (ContentHash c : new ContentHash[] {h, g}) {
      MessageDigest d = c.start();
      d.update(content, 0, cut);
      d.update(content, cut, content.length - cut);
      assertEquals(Optional.empty(), c.mismatch(d));
      if (content.length > 0) {
        byte[] bad = content.clone();
        bad[cut == content.length ? 0 : cut] ^= 1;
        MessageDigest e = c.start();
        e.update(bad);
        assertTrue(c.mismatch(e).isPresent());
      }
    }
  }
}

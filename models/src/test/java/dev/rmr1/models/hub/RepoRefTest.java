package dev.rmr1.models.hub;

import static org.junit.jupiter.api.Assertions.*;

import java.net.URI;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RepoRefTest {

  @Test
  void parsesRepositoryAndRevision() {
    assertEquals(new RepoRef("Qwen/Qwen2.5-0.5B-Instruct", "main"), RepoRef.parse("Qwen/Qwen2.5-0.5B-Instruct"));
    assertEquals(new RepoRef("gaotang/RM-R1-Qwen2.5-Instruct-7B", "v1.0"), RepoRef.parse("gaotang/RM-R1-Qwen2.5-Instruct-7B@v1.0"));
    assertEquals(new RepoRef("org/name", "refs/pr/3"), RepoRef.parse("org/name@refs/pr/3"));
    assertEquals("models--Qwen--Qwen2.5-0.5B-Instruct", RepoRef.parse("Qwen/Qwen2.5-0.5B-Instruct").cacheFolderName());
    assertEquals("models--gpt2", RepoRef.parse("gpt2").cacheFolderName());
  }

  @Test
  void rejectsInvalidIdsAndRevisions() {
    for (String bad : new String[] {"a/b/c", "a--b/c", "a/b..c", "-a/b", "a/b-", "a/.b", "a b/c", "a/b.git", "",
        "org/name@", "org/name@../x", "org/name@a b", "org/name@/x"}) {
      assertThrows(IllegalArgumentException.class, () -> RepoRef.parse(bad), bad);
    }
  }

  @Test
  void commitHashes() {
    assertTrue(RepoRef.isCommitHash("0123456789abcdef0123456789abcdef01234567"));
    assertFalse(RepoRef.isCommitHash("main"));
    assertFalse(RepoRef.isCommitHash("0123456789ABCDEF0123456789abcdef01234567"));
  }

  @Property(tries = 300)
  void parseInvertsToString(@ForAll("ids") String id, @ForAll("revisions") String revision) {
    RepoRef r = new RepoRef(id, revision);
    assertEquals(r, RepoRef.parse(r.toString()));
    assertEquals("models--" + id.replace("/", "--"), r.cacheFolderName());
  }

  /** A percent-encoded revision or file name is one URL path that decodes back to itself. */
  @Property(tries = 300)
  void urlEncodingRoundTrips(@ForAll("names") String name) {
    String segment = HubClient.encode(name, false);
    assertFalse(segment.contains("/"));
    assertEquals("/" + name, URI.create("http://h/" + segment).getPath());
    assertEquals("/" + name, URI.create("http://h/" + HubClient.encode(name, true)).getPath());
  }

  @Test
  void resolveUrlHasHuggingfaceHubsForm() {
    HubClient c = new HubClient(new HubEnvironment("https://hf.example/", java.util.Optional.empty(), java.nio.file.Path.of("/c"), false));
    assertEquals(URI.create("https://hf.example/org/name/resolve/refs%2Fpr%2F1/sub/a%20b.json"),
        c.resolveUrl("org/name", "refs/pr/1", "sub/a b.json"));
    assertEquals(URI.create("https://hf.example/api/models/org/name/revision/v1.0"),
        c.repoInfoUrl(RepoRef.parse("org/name@v1.0")));
    assertEquals("abc", HubClient.normalizeEtag("W/\"abc\""));
    assertEquals("abc", HubClient.normalizeEtag("\"abc\""));
  }

  @Provide
  Arbitrary<String> ids() {
    Arbitrary<String> part = Arbitraries.strings().withChars("abcXYZ019_").ofMinLength(1).ofMaxLength(10)
        .flatMap(a -> Arbitraries.strings().withChars("abc019-._").ofMaxLength(6)
            .flatMap(mid -> Arbitraries.strings().withChars("xyz7_").ofLength(1).map(end -> a + mid + end)))
        .filter(s -> !s.contains("--") && !s.contains("..") && !s.endsWith(".git"));
    return Arbitraries.oneOf(part, part.flatMap(org -> part.map(name -> org + "/" + name)));
  }

  @Provide
  Arbitrary<String> revisions() {
    return Arbitraries.strings().withChars("abcdef0123456789-_/v.").ofMinLength(1).ofMaxLength(20)
        .filter(s -> !s.startsWith("/") && !s.endsWith("/") && !s.contains(".."));
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.strings().withCharRange(' ', '~').withChars("éü中").ofMinLength(1).ofMaxLength(30)
        .filter(s -> !s.contains("/"));
  }
}

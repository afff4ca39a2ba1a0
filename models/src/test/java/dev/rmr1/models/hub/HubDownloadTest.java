package dev.rmr1.models.hub;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole download path against {@link FakeHub} on loopback. */
class HubDownloadTest {
  private static final String REPO = "test-org/tiny-qwen2";
  private static final String SHARD1 = "model-00001-of-00002.safetensors";
  private static final String SHARD2 = "model-00002-of-00002.safetensors";

  @TempDir Path tmp;
  private FakeHub hub;
  private ByteArrayOutputStream log;
  private Path cache;

  @BeforeEach
  void start() throws IOException {
    hub = new FakeHub();
    log = new ByteArrayOutputStream();
    cache = tmp.resolve("hf/hub");
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  /** A model repository: the files this project needs, plus files it must never download. */
  static Map<String, byte[]> modelFiles(long seed) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (InputStream in = HubDownloadTest.class.getResourceAsStream("/dev/rmr1/models/config/tiny-qwen2-a/config.json")) {
      files.put("config.json", in.readAllBytes());
    }
    files.put("generation_config.json", "{\"do_sample\": true, \"temperature\": 0.7}\n".getBytes(StandardCharsets.UTF_8));
    files.put("tokenizer.json", ("{\"version\": \"1.0\", \"seed\": " + seed + "}\n").getBytes(StandardCharsets.UTF_8));
    files.put("tokenizer_config.json", "{\"model_max_length\": 256}\n".getBytes(StandardCharsets.UTF_8));
    files.put(SHARD1, random(seed, 300_001));
    files.put(SHARD2, random(seed + 1, 123_457));
    files.put(ModelFiles.WEIGHTS_INDEX, ("{\"metadata\": {\"total_size\": 423458}, \"weight_map\": {"
        + "\"model.embed_tokens.weight\": \"" + SHARD1 + "\", \"model.norm.weight\": \"" + SHARD2 + "\", "
        + "\"lm_head.weight\": \"" + SHARD2 + "\"}}\n").getBytes(StandardCharsets.UTF_8));
    files.put("README.md", "# tiny\n".getBytes(StandardCharsets.UTF_8));
    files.put("pytorch_model.bin", random(seed + 2, 1000));
    files.put("original/consolidated.00.pth", random(seed + 3, 1000));
    files.put(".gitattributes", "*.safetensors filter=lfs\n".getBytes(StandardCharsets.UTF_8));
    return files;
  }

  static byte[] random(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private HubEnvironment env() {
    return new HubEnvironment(hub.endpoint(), Optional.empty(), cache, false);
  }

  private DownloadOptions options(int retries) {
    return new DownloadOptions(new PrintStream(log, true, StandardCharsets.UTF_8), 200_000, retries, Duration.ZERO);
  }

  private ResolvedModel resolve(HubEnvironment env, String ref, int retries) {
    return new SnapshotDownloader(env, options(retries)).resolve(RepoRef.parse(ref));
  }

  private static final List<String> NEEDED = List.of("config.json", "generation_config.json", "tokenizer.json",
      "tokenizer_config.json", ModelFiles.WEIGHTS_INDEX, SHARD1, SHARD2);

  @Test
  void freshDownloadUsesHuggingfaceHubsCacheLayout() throws IOException {
    Map<String, byte[]> files = modelFiles(1);
    String commit = hub.commit(REPO, files);
    hub.ref(REPO, "main", commit);

    ResolvedModel m = resolve(env(), REPO, 0);

    Path repoFolder = cache.resolve("models--test-org--tiny-qwen2");
    assertEquals(repoFolder.resolve("snapshots").resolve(commit), m.directory());
    assertEquals(ResolvedModel.Source.HUB, m.source());
    assertEquals(Optional.of(commit), m.commit());
    assertEquals(commit, Files.readString(repoFolder.resolve("refs/main")));
    for (String f : NEEDED) {
      Path pointer = m.directory().resolve(f);
      assertTrue(Files.isSymbolicLink(pointer), f);
      String etag = FakeHub.etag(f, files.get(f));
      assertEquals(Path.of("../../blobs/" + etag), Files.readSymbolicLink(pointer), f);
      assertArrayEquals(files.get(f), Files.readAllBytes(pointer), f);
    }
    assertEquals(64, FakeHub.etag(SHARD1, files.get(SHARD1)).length()); // LFS blobs are named by sha256
    assertEquals(40, FakeHub.etag("config.json", files.get("config.json")).length()); // others by git sha1
    try (var s = Files.list(m.directory())) {
      assertEquals(NEEDED.stream().sorted().toList(), s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    try (var s = Files.list(repoFolder.resolve("blobs"))) {
      assertTrue(s.noneMatch(p -> p.toString().endsWith(".incomplete")));
    }
    for (FakeHub.Request r : hub.requests()) {
      assertFalse(r.path().contains("README") || r.path().contains(".bin") || r.path().contains("original")
          || r.path().contains("gitattributes"), "fetched an unneeded file: " + r);
      assertNull(r.authorization(), "no token is set, none may be sent");
    }
    assertEquals(2, hub.requests().stream().filter(r -> r.server().equals("cdn")).count());
    assertTrue(Files.isRegularFile(cache.resolve(".locks/models--test-org--tiny-qwen2")
        .resolve(FakeHub.sha256(files.get(SHARD1)) + ".lock")));
    String progress = log.toString(StandardCharsets.UTF_8);
    assertTrue(progress.contains(SHARD1) && progress.contains("100%"), progress); // 300 kB >= the 200 kB threshold
    assertFalse(progress.contains(SHARD2), "no bar below the threshold: " + progress);
  }

  @Test
  void secondResolutionUsesTheCacheAfterOneApiCall() throws IOException {
    String commit = hub.commit(REPO, modelFiles(2));
    hub.ref(REPO, "main", commit);
    Path first = resolve(env(), REPO, 0).directory();
    hub.clearRequests();
    ResolvedModel again = resolve(env(), REPO, 0);
    assertEquals(first, again.directory());
    assertEquals(List.of("GET /api/models/test-org/tiny-qwen2/revision/main"),
        hub.requests().stream().map(r -> r.method() + " " + r.path()).toList());
  }

  @Test
  void offlineModeAndAnUnreachableHubUseTheCache() throws IOException {
    String commit = hub.commit(REPO, modelFiles(3));
    hub.ref(REPO, "main", commit);
    Path dir = resolve(env(), REPO, 0).directory();
    hub.clearRequests();

    ResolvedModel offline = resolve(env().withOffline(true), REPO, 0);
    assertEquals(dir, offline.directory());
    assertEquals(ResolvedModel.Source.CACHE, offline.source());
    assertEquals(List.of(), hub.requests(), "offline mode must not touch the network");
    assertEquals(dir, resolve(env().withOffline(true), REPO + "@" + commit, 0).directory());

    String endpoint = hub.endpoint();
    hub.close(); // nothing listens any more
    ResolvedModel down = resolve(env().withEndpoint(endpoint), REPO, 0);
    assertEquals(dir, down.directory());
    assertEquals(ResolvedModel.Source.CACHE, down.source());
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("Using the cached snapshot"), log.toString());
  }

  @Test
  void offlineWithoutACachedCopyIsAClearError() {
    HubException e = assertThrows(HubException.class, () -> resolve(env().withOffline(true), REPO + "@v2", 0));
    assertEquals(HubException.Kind.OFFLINE, e.kind());
    assertTrue(e.getMessage().contains("HF_HUB_OFFLINE") && e.getMessage().contains("refs/v2"), e.getMessage());
  }

  @Test
  void unreachableHubWithoutACachedCopyIsAClearError() {
    String endpoint = hub.endpoint();
    hub.close();
    HubException e = assertThrows(HubException.class, () -> resolve(env().withEndpoint(endpoint), REPO, 0));
    assertEquals(HubException.Kind.UNREACHABLE, e.kind());
    assertTrue(e.getMessage().contains("cannot reach 127.0.0.1") && e.getMessage().contains("No complete cached copy"),
        e.getMessage());
  }

  @Test
  void aCutDownloadIsResumedWithARangeRequestByTheNextRun() throws IOException {
    Map<String, byte[]> files = modelFiles(4);
    String commit = hub.commit(REPO, files);
    hub.ref(REPO, "main", commit);
    byte[] shard = files.get(SHARD1);
    hub.cutNextDownload(shard, 70_000);

    HubException e = assertThrows(HubException.class, () -> resolve(env(), REPO, 0));
    assertEquals(HubException.Kind.UNREACHABLE, e.kind());
    Path part = cache.resolve("models--test-org--tiny-qwen2/blobs/" + FakeHub.sha256(shard) + ".incomplete");
    long kept = Files.size(part); // what reached the client before the drop: at most what was sent
    assertTrue(kept > 0 && kept <= 70_000, "kept " + kept);
    assertTrue(e.getMessage().contains("cut at " + kept + " of 300001 bytes") && e.getMessage().contains("resume"),
        e.getMessage());
    assertFalse(Files.exists(cache.resolve("models--test-org--tiny-qwen2/refs/main")), "no ref before the snapshot is complete");

    hub.clearRequests();
    ResolvedModel m = resolve(env(), REPO, 0);
    assertArrayEquals(shard, Files.readAllBytes(m.directory().resolve(SHARD1)));
    assertFalse(Files.exists(part));
    assertTrue(hub.requests().stream().anyMatch(r -> r.server().equals("cdn") && ("bytes=" + kept + "-").equals(r.range())),
        hub.requests().toString());
  }

  @Test
  void aCutDownloadIsResumedWithinOneRunWhenRetriesAreAllowed() throws IOException {
    Map<String, byte[]> files = modelFiles(5);
    String commit = hub.commit(REPO, files);
    hub.ref(REPO, "main", commit);
    hub.cutNextDownload(files.get(SHARD2), 12_345);
    ResolvedModel m = resolve(env(), REPO, 2);
    assertArrayEquals(files.get(SHARD2), Files.readAllBytes(m.directory().resolve(SHARD2)));
    // the resume asks for the bytes after those that reached the client (at most the 12345 sent)
    List<Long> resumedAt = hub.requests().stream().filter(r -> r.range() != null)
        .map(r -> Long.parseLong(r.range().substring(6, r.range().length() - 1))).toList();
    assertEquals(1, resumedAt.size(), hub.requests().toString());
    assertTrue(resumedAt.get(0) > 0 && resumedAt.get(0) <= 12_345, resumedAt.toString());
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming (1/2)"), log.toString());
  }

  @Test
  void aServerIgnoringRangeRestartsTheFileFromZero() throws IOException {
    Map<String, byte[]> files = modelFiles(6);
    String commit = hub.commit(REPO, files);
    hub.ref(REPO, "main", commit);
    byte[] shard = files.get(SHARD1);
    Path part = cache.resolve("models--test-org--tiny-qwen2/blobs/" + FakeHub.sha256(shard) + ".incomplete");
    Files.createDirectories(part.getParent());
    Files.write(part, random(99, 5_000)); // a stale partial file that is not even a prefix
    hub.ignoreRange = true;
    ResolvedModel m = resolve(env(), REPO, 0);
    assertArrayEquals(shard, Files.readAllBytes(m.directory().resolve(SHARD1)));
  }

  @Test
  void aCorruptLfsFileFailsItsSha256AndIsDeleted() throws IOException {
    Map<String, byte[]> files = modelFiles(7);
    String commit = hub.commit(REPO, files);
    hub.ref(REPO, "main", commit);
    hub.corrupt(files.get(SHARD2));
    HubException e = assertThrows(HubException.class, () -> resolve(env(), REPO, 3));
    assertEquals(HubException.Kind.VERIFICATION, e.kind());
    String sha = FakeHub.sha256(files.get(SHARD2));
    assertTrue(e.getMessage().contains(SHARD2) && e.getMessage().contains("sha256 should be " + sha), e.getMessage());
    Path blobs = cache.resolve("models--test-org--tiny-qwen2/blobs");
    assertFalse(Files.exists(blobs.resolve(sha)));
    assertFalse(Files.exists(blobs.resolve(sha + ".incomplete")));
    assertFalse(Files.exists(cache.resolve("models--test-org--tiny-qwen2/snapshots").resolve(commit).resolve(SHARD2)));
  }

  @Test
  void aCorruptRegularFileFailsItsGitBlobSha1() throws IOException {
    Map<String, byte[]> files = modelFiles(8);
    String commit = hub.commit(REPO, files);
    hub.ref(REPO, "main", commit);
    hub.corrupt(files.get("tokenizer.json"));
    HubException e = assertThrows(HubException.class, () -> resolve(env(), REPO, 0));
    assertEquals(HubException.Kind.VERIFICATION, e.kind());
    assertTrue(e.getMessage().contains("tokenizer.json") && e.getMessage().contains("git blob sha1 should be "
        + FakeHub.gitSha1(files.get("tokenizer.json"))), e.getMessage());
  }

  @Test
  void tokensAreSentToTheHubButNotToTheCdn() throws IOException {
    String commit = hub.commit(REPO, modelFiles(9));
    hub.ref(REPO, "main", commit);
    hub.requiredToken = "hf_secret";

    HubException none = assertThrows(HubException.class, () -> resolve(env(), REPO, 0));
    assertEquals(HubException.Kind.UNAUTHORIZED, none.kind());
    assertEquals(Optional.of(401), none.status());
    assertTrue(none.getMessage().contains("401") && none.getMessage().contains("set HF_TOKEN")
        && none.getMessage().contains("'" + REPO + "'"), none.getMessage());

    HubException wrong = assertThrows(HubException.class,
        () -> resolve(env().withToken(Optional.of("hf_wrong")), REPO, 0));
    assertTrue(wrong.getMessage().contains("was refused") && wrong.getMessage().contains("Invalid credentials"),
        wrong.getMessage());
    assertFalse(wrong.getMessage().contains("hf_wrong"), "the token must not appear in messages");

    hub.clearRequests();
    resolve(env().withToken(Optional.of("hf_secret")), REPO, 0);
    for (FakeHub.Request r : hub.requests()) {
      if (r.server().equals("hub")) assertEquals("Bearer hf_secret", r.authorization(), r.toString());
      else assertNull(r.authorization(), "the signed CDN URL must not get the token: " + r);
    }
  }

  @Test
  void missingRepositoryRevisionAndShardAreClearErrors() throws IOException {
    HubException repo = assertThrows(HubException.class, () -> resolve(env(), "nobody/nothing", 0));
    assertTrue(repo.getMessage().contains("'nobody/nothing' does not exist, or it is private or gated"), repo.getMessage());

    Map<String, byte[]> files = modelFiles(10);
    String commit = hub.commit(REPO, files);
    hub.ref(REPO, "main", commit);
    HubException rev = assertThrows(HubException.class, () -> resolve(env(), REPO + "@v9", 0));
    assertEquals(HubException.Kind.NOT_FOUND, rev.kind());
    assertTrue(rev.getMessage().contains("revision 'v9' does not exist in '" + REPO + "'"), rev.getMessage());

    files.remove(SHARD2);
    String broken = hub.commit("test-org/broken", files);
    hub.ref("test-org/broken", "main", broken);
    HubException shard = assertThrows(HubException.class, () -> resolve(env(), "test-org/broken", 0));
    assertTrue(shard.getMessage().contains("names shard '" + SHARD2 + "', which the repository does not have"),
        shard.getMessage());

    String noWeights = hub.commit("test-org/bin-only", Map.of("config.json", files.get("config.json"),
        "pytorch_model.bin", random(1, 10)));
    hub.ref("test-org/bin-only", "main", noWeights);
    HubException bin = assertThrows(HubException.class, () -> resolve(env(), "test-org/bin-only", 0));
    assertTrue(bin.getMessage().contains("has no safetensors weights (only PyTorch .bin"), bin.getMessage());
  }

  @Test
  void serverErrorsFallBackToACompleteCacheOnly() throws IOException {
    String commit = hub.commit(REPO, modelFiles(11));
    hub.ref(REPO, "main", commit);
    hub.failStatus = 503;
    HubException e = assertThrows(HubException.class, () -> resolve(env(), REPO, 0));
    assertEquals(HubException.Kind.SERVER, e.kind());
    assertTrue(e.getMessage().contains("503"), e.getMessage());
    hub.failStatus = 0;
    Path dir = resolve(env(), REPO, 0).directory();
    hub.failStatus = 500;
    assertEquals(dir, resolve(env(), REPO, 0).directory());
  }

  @Test
  void revisionsArePinnedAndSharedBlobsAreNotDownloadedTwice() throws IOException {
    Map<String, byte[]> v1 = modelFiles(12);
    Map<String, byte[]> v2 = new LinkedHashMap<>(v1);
    v2.put(SHARD2, random(1234, 100_000)); // only one shard changes
    String c1 = hub.commit(REPO, v1);
    String c2 = hub.commit(REPO, v2);
    hub.ref(REPO, "v1", c1);
    hub.ref(REPO, "main", c2);
    hub.ref(REPO, "refs/pr/1", c1);

    ResolvedModel pinned = resolve(env(), REPO + "@v1", 0);
    assertEquals(Optional.of(c1), pinned.commit());
    assertArrayEquals(v1.get(SHARD2), Files.readAllBytes(pinned.directory().resolve(SHARD2)));
    Path repoFolder = cache.resolve("models--test-org--tiny-qwen2");
    assertEquals(c1, Files.readString(repoFolder.resolve("refs/v1")));
    assertFalse(Files.exists(repoFolder.resolve("refs/main")));

    hub.clearRequests();
    ResolvedModel main = resolve(env(), REPO, 0);
    assertEquals(Optional.of(c2), main.commit());
    assertArrayEquals(v2.get(SHARD2), Files.readAllBytes(main.directory().resolve(SHARD2)));
    assertArrayEquals(v1.get(SHARD1), Files.readAllBytes(main.directory().resolve(SHARD1)));
    assertEquals(1, hub.requests().stream().filter(r -> r.server().equals("cdn")).count(),
        "only the changed shard is downloaded: " + hub.requests());

    ResolvedModel byHash = resolve(env(), REPO + "@" + c1, 0);
    assertEquals(pinned.directory(), byHash.directory());
    ResolvedModel pr = resolve(env(), REPO + "@refs/pr/1", 0);
    assertEquals(pinned.directory(), pr.directory());
    assertEquals(c1, Files.readString(repoFolder.resolve("refs/refs/pr/1")));
    assertTrue(hub.requests().stream().anyMatch(r -> r.path().equals("/api/models/" + REPO + "/revision/refs%2Fpr%2F1")),
        hub.requests().toString());
  }

  @Test
  void relativeRedirectsOfARenamedRepositoryAreFollowed() throws IOException {
    Map<String, byte[]> files = modelFiles(13);
    String commit = hub.commit(REPO, files);
    hub.ref(REPO, "main", commit);
    hub.rename("old-org/tiny-qwen2", REPO);
    ResolvedModel m = resolve(env(), "old-org/tiny-qwen2", 0);
    assertEquals(cache.resolve("models--old-org--tiny-qwen2/snapshots").resolve(commit), m.directory());
    assertArrayEquals(files.get(SHARD1), Files.readAllBytes(m.directory().resolve(SHARD1)));
  }

  @Test
  void concurrentResolutionsDownloadEachBlobOnce() throws Exception {
    Map<String, byte[]> files = modelFiles(14);
    String commit = hub.commit(REPO, files);
    hub.ref(REPO, "main", commit);
    List<java.util.concurrent.Future<ResolvedModel>> results = new java.util.ArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      for (int i = 0; i < 3; i++) results.add(pool.submit(() -> resolve(env(), REPO, 0)));
      for (var r : results) {
        ResolvedModel m = r.get(30, java.util.concurrent.TimeUnit.SECONDS);
        for (String f : NEEDED) assertArrayEquals(files.get(f), Files.readAllBytes(m.directory().resolve(f)), f);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(2, hub.requests().stream().filter(r -> r.server().equals("cdn")).count(), hub.requests().toString());
    assertEquals(commit, Files.readString(cache.resolve("models--test-org--tiny-qwen2/refs/main")));
  }
}

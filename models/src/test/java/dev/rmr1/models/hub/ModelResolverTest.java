package dev.rmr1.models.hub;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelResolverTest {
  @TempDir Path tmp;

  private ModelResolver resolver(String endpoint, boolean offline) {
    return new ModelResolver(new HubEnvironment(endpoint, Optional.empty(), tmp.resolve("cache"), offline),
        new DownloadOptions(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), 1 << 20, 0, Duration.ZERO));
  }

  private ModelResolver offline() {
    return resolver("http://127.0.0.1:9", true);
  }

  private static Path modelDir(Path dir, Map<String, byte[]> files) throws IOException {
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, f.getValue());
    }
    return dir;
  }

  @Test
  void aLocalDirectoryWithConfigAndWeights() throws IOException {
    Path dir = modelDir(tmp.resolve("m"), Map.of("config.json", new byte[] {'{', '}'}, "model.safetensors", new byte[8]));
    ResolvedModel m = offline().resolve(dir.toString());
    assertEquals(dir, m.directory());
    assertEquals(ResolvedModel.Source.LOCAL_DIRECTORY, m.source());
    assertEquals(dir.resolve("config.json"), m.file("config.json"));
  }

  @Test
  void incompleteDirectoriesNameWhatIsMissing() throws IOException {
    Path noConfig = modelDir(tmp.resolve("a"), Map.of("model.safetensors", new byte[8]));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> offline().resolve(noConfig.toString()));
    assertTrue(e.getMessage().contains(noConfig + " lacks config.json"), e.getMessage());

    Path noWeights = modelDir(tmp.resolve("b"), Map.of("config.json", new byte[2]));
    e = assertThrows(IllegalArgumentException.class, () -> offline().resolve(noWeights.toString()));
    assertTrue(e.getMessage().contains("*.safetensors"), e.getMessage());

    Path missingShard = modelDir(tmp.resolve("c"), Map.of("config.json", new byte[2],
        "model.safetensors.index.json", "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\"}}".getBytes(StandardCharsets.UTF_8),
        "s1.safetensors", new byte[8]));
    e = assertThrows(IllegalArgumentException.class, () -> offline().resolve(missingShard.toString()));
    assertTrue(e.getMessage().contains("s2.safetensors (named by model.safetensors.index.json)"), e.getMessage());
    assertFalse(e.getMessage().contains("s1.safetensors"), e.getMessage());
  }

  @Test
  void pathsThatDoNotExistOrAreFilesOrAreNotRepoIds() throws IOException {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> offline().resolve("./nope"));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> offline().resolve("models/a/b"));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    Path file = Files.writeString(tmp.resolve("config.json"), "{}");
    e = assertThrows(IllegalArgumentException.class, () -> offline().resolve(file.toString()));
    assertTrue(e.getMessage().contains("is a file"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> offline().resolve("not a repo!"));
    assertTrue(e.getMessage().contains("neither an existing directory nor a Hub repository"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> offline().resolve("  "));
  }

  @Test
  void aCacheRepositoryFolderResolvesThroughRefsMain() throws IOException {
    String commit = "0123456789abcdef0123456789abcdef01234567";
    Path folder = tmp.resolve("cache/models--org--m");
    modelDir(folder.resolve("snapshots").resolve(commit), Map.of("config.json", new byte[2], "model.safetensors", new byte[8]));
    Files.createDirectories(folder.resolve("refs"));
    Files.writeString(folder.resolve("refs/main"), commit);
    ResolvedModel m = offline().resolve(folder.toString());
    assertEquals(folder.resolve("snapshots").resolve(commit), m.directory());
    assertEquals(ResolvedModel.Source.CACHE, m.source());
    assertEquals(Optional.of(commit), m.commit());
    // the same snapshot by repository id, offline
    ResolvedModel byId = offline().resolve("org/m");
    assertEquals(m.directory(), byId.directory());
    assertEquals(Optional.of(RepoRef.parse("org/m")), byId.repo());
  }

  @Test
  void aHubIdIsDownloaded() throws IOException {
    try (FakeHub hub = new FakeHub()) {
      Map<String, byte[]> files = HubDownloadTest.modelFiles(21);
      String commit = hub.commit("org/m", files);
      hub.ref("org/m", "main", commit);
      ResolvedModel m = resolver(hub.endpoint(), false).resolve("org/m");
      assertEquals(ResolvedModel.Source.HUB, m.source());
      assertArrayEquals(files.get("config.json"), Files.readAllBytes(m.file("config.json")));
      assertEquals(tmp.resolve("cache/models--org--m/snapshots").resolve(commit), m.directory());
    }
  }
}

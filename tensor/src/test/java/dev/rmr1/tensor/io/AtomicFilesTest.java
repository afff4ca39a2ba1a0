package dev.rmr1.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/** Replacement is all or nothing: the target holds the old content or the new, and no temporary file stays behind. */
class AtomicFilesTest {
  private Path dir;

  @BeforeTry
  void createDir() throws IOException {
    dir = Files.createTempDirectory("atomic-files");
  }

  @AfterTry
  void deleteDir() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  private List<String> listing(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(x -> x.getFileName().toString()).sorted().toList();
    }
  }

  /** Any bytes, any text: what is read back is what was written last, in the only file there. */
  @Property(tries = 60)
  void contentRoundTrips(@ForAll @Size(max = 3000) byte[] first, @ForAll @Size(max = 3000) byte[] second, @ForAll String text)
      throws IOException {
    Path p = dir.resolve("f.bin");
    AtomicFiles.write(p, first);
    assertArrayEquals(first, Files.readAllBytes(p));
    AtomicFiles.write(p, out -> {
      // a content callback may write in several pieces
      AtomicFiles.writeFully(out, ByteBuffer.wrap(second, 0, second.length / 2));
      AtomicFiles.writeFully(out, ByteBuffer.wrap(second, second.length / 2, second.length - second.length / 2));
    });
    assertArrayEquals(second, Files.readAllBytes(p));
    Path t = dir.resolve("t.txt");
    AtomicFiles.writeString(t, text);
    assertArrayEquals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), Files.readAllBytes(t));
    assertEquals(List.of("f.bin", "t.txt"), listing(dir));
  }

  @Example
  void aFailingContentCallbackLeavesTheOldFileAndNoTemporaryFile() throws IOException {
    Path p = dir.resolve("ckpt.safetensors");
    Files.writeString(p, "old");
    RuntimeException boom = new IllegalStateException("device failed mid-write");
    var e = assertThrows(IllegalStateException.class, () -> AtomicFiles.write(p, out -> {
      out.write(ByteBuffer.wrap(new byte[1000]));
      throw boom;
    }));
    assertSame(boom, e, "the callback's exception propagates as it is");
    assertEquals("old", Files.readString(p));
    assertEquals(List.of("ckpt.safetensors"), listing(dir));

    IOException io = new IOException("disk full");
    var u = assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(p, out -> {
      throw io;
    }));
    assertSame(io, u.getCause());
    assertTrue(u.getMessage().contains(p.toString()), u.getMessage());
    assertEquals("old", Files.readString(p));
    assertEquals(List.of("ckpt.safetensors"), listing(dir));

    AtomicFiles.writeString(p, "new");
    assertEquals("new", Files.readString(p));
    assertEquals(List.of("ckpt.safetensors"), listing(dir));
  }

  @Example
  void aFailedRenameLeavesNoTemporaryFile() throws IOException {
    Path target = dir.resolve("taken");
    Files.createDirectories(target.resolve("child")); // a non-empty directory cannot be replaced by a file
    var e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeString(target, "x"));
    assertTrue(e.getMessage().contains("cannot write " + target), e.getMessage());
    assertEquals(List.of("taken"), listing(dir));
    assertEquals(List.of("child"), listing(target));
  }

  @Example
  void parentDirectoriesAreCreated() throws IOException {
    Path p = dir.resolve("a/b/c/d.json");
    AtomicFiles.writeString(p, "{}");
    assertEquals("{}", Files.readString(p));
    assertEquals(List.of("d.json"), listing(p.getParent()));
  }

  /** Writers racing on one target each use their own temporary file: the result is one whole content. */
  @Example
  void concurrentWritersNeverMixTheirContent() throws Exception {
    Path p = dir.resolve("ref");
    List<String> contents = new ArrayList<>();
    for (int w = 0; w < 4; w++) contents.add(String.valueOf((char) ('a' + w)).repeat(10_000 + w));
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<?>> done = new ArrayList<>();
      for (String c : contents) done.add(pool.submit(() -> {
        for (int i = 0; i < 5; i++) AtomicFiles.writeString(p, c);
      }));
      for (Future<?> f : done) f.get();
    }
    assertTrue(Set.copyOf(contents).contains(Files.readString(p)));
    assertEquals(List.of("ref"), listing(dir));
  }

  @Example
  void forcingADirectoryThatCannotBeOpenedIsNoError() {
    assertDoesNotThrow(() -> AtomicFiles.forceDirectory(dir.resolve("missing")));
    assertDoesNotThrow(() -> AtomicFiles.forceDirectory(dir));
  }
}

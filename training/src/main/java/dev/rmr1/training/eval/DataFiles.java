package dev.rmr1.training.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Expands benchmark data paths: a file stays itself, a directory becomes its {@code .json}/{@code .jsonl} files. */
final class DataFiles {
  private DataFiles() {}

  /** Files under each path (recursively for directories), each directory's files sorted by path. */
  static List<Path> expand(List<Path> paths) {
    List<Path> out = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          s.filter(Files::isRegularFile)
              .filter(f -> f.getFileName().toString().endsWith(".json") || f.getFileName().toString().endsWith(".jsonl"))
              .sorted()
              .forEach(out::add);
        } catch (IOException e) {
          throw new UncheckedIOException("listing " + p, e);
        }
      } else if (Files.isRegularFile(p)) {
        out.add(p);
      } else {
        throw new IllegalArgumentException("benchmark data path " + p + " does not exist");
      }
    }
    if (out.isEmpty()) throw new IllegalArgumentException("no .json/.jsonl data files under " + paths);
    return out;
  }
}

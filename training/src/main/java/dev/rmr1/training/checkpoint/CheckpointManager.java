package dev.rmr1.training.checkpoint;

import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.io.AtomicFiles;
import dev.rmr1.tensor.safetensors.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Periodic checkpoints that survive a kill at any moment and resume exactly.
 *
 * <p>Layout under the output directory:
 *
 * <pre>
 * checkpoint-200/              a complete checkpoint
 *   model.safetensors          one file per tensor group (weights or adapters, optimizer state, ...)
 *   optimizer.safetensors
 *   trainer_state.json         step, epoch, data position, schedule position, RNG states, metrics tail,
 *                              config hash, and the size of every file above
 * checkpoint-300/
 * latest                       "checkpoint-300": the newest, for people and scripts
 * </pre>
 *
 * A save writes everything into {@code checkpoint-<step>.tmp/} (each file forced to disk), then
 * renames the directory to {@code checkpoint-<step>/} in one atomic step, updates {@code latest}
 * atomically, and only then deletes checkpoints beyond the last {@code keepLast} (and any of later
 * steps, left from before a resume to an earlier one). A kill before the
 * rename leaves a {@code .tmp} directory that is never read and is removed by the next save; a kill
 * after it leaves a complete checkpoint. {@link #latest()} does not trust the pointer blindly: it
 * takes the highest step whose {@code trainer_state.json} parses and whose files all have their
 * recorded sizes.
 *
 * <p>One process writes a run's checkpoints at a time.
 */
public final class CheckpointManager {
  static final String GROUP_SUFFIX = ".safetensors";
  static final String LATEST = "latest";
  private static final Pattern DIR = Pattern.compile("checkpoint-(\\d+)");
  private static final Pattern LEFTOVER = Pattern.compile("checkpoint-\\d+\\.(tmp|old)");
  private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

  /** Writes files of the caller's own (a PEFT adapter_config.json, a tokenizer) into a checkpoint being saved. */
  @FunctionalInterface
  public interface ExtraFiles {
    void writeTo(Path dir) throws IOException;
  }

  private final Path outDir;
  private final int keepLast;
  private final Consumer<String> warn;

  /** Keeps the last {@code keepLast} checkpoints in {@code outDir}; warnings go to standard error. */
  public CheckpointManager(Path outDir, int keepLast) {
    this(outDir, keepLast, msg -> System.err.println("warning: " + msg));
  }

  public CheckpointManager(Path outDir, int keepLast, Consumer<String> warn) {
    if (keepLast < 1) throw new IllegalArgumentException("keepLast must be >= 1, got " + keepLast);
    this.outDir = outDir;
    this.keepLast = keepLast;
    this.warn = warn;
  }

  public Path outDir() {
    return outDir;
  }

  /** The directory of the checkpoint of {@code step}. */
  public Path dir(int step) {
    return outDir.resolve("checkpoint-" + step);
  }

  /** {@link #save(int, Map, TrainerState, ExtraFiles)} without extra files. */
  public Path save(int step, Map<String, Map<String, Tensor>> tensorGroups, TrainerState state) {
    return save(step, tensorGroups, state, dir -> {});
  }

  /**
   * Saves a checkpoint of {@code step}: each tensor group as {@code <group>.safetensors}, files
   * from {@code extras}, and {@code trainer_state.json}; then prunes old checkpoints. A checkpoint
   * of the same step already there is replaced. Returns the checkpoint's directory.
   *
   * @param tensorGroups group name (a plain file name) to named tensors (any device; written as they are)
   * @throws UncheckedIOException when writing fails; the previous checkpoints are untouched
   */
  public Path save(int step, Map<String, Map<String, Tensor>> tensorGroups, TrainerState state, ExtraFiles extras) {
    if (state.step() != step) throw new IllegalArgumentException("checkpoint step " + step + " but the trainer state says step " + state.step());
    for (String g : tensorGroups.keySet()) {
      if (!GROUP.matcher(g).matches() || g.equals("trainer_state"))
        throw new IllegalArgumentException("tensor group name '" + g + "' must be a plain file name (letters, digits, _ . -) other than trainer_state");
    }
    Path tmp = outDir.resolve("checkpoint-" + step + ".tmp");
    Path fin = dir(step);
    try {
      Files.createDirectories(outDir);
      removeLeftovers();
      Files.createDirectory(tmp);
      for (Map.Entry<String, Map<String, Tensor>> g : tensorGroups.entrySet()) {
        SafeTensors.write(tmp.resolve(g.getKey() + GROUP_SUFFIX), g.getValue()); // forced to disk, atomic within tmp
      }
      extras.writeTo(tmp);
      Map<String, Long> files = inventory(tmp);
      AtomicFiles.write(tmp.resolve(StateFile.NAME), StateFile.encode(state, files));
      AtomicFiles.forceDirectory(tmp);
      if (Files.exists(fin)) {
        Path old = outDir.resolve("checkpoint-" + step + ".old");
        Files.move(fin, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, fin, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
      } else {
        Files.move(tmp, fin, StandardCopyOption.ATOMIC_MOVE);
      }
      AtomicFiles.forceDirectory(outDir);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException("cannot save checkpoint " + fin + ": " + e, e);
    } catch (RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
    AtomicFiles.writeString(outDir.resolve(LATEST), fin.getFileName() + "\n");
    prune(step);
    return fin;
  }

  /** The newest complete checkpoint, if any; incomplete or damaged ones are skipped with a warning. */
  public Optional<LoadedCheckpoint> latest() {
    List<Integer> steps = candidateSteps();
    for (int i = steps.size() - 1; i >= 0; i--) {
      Optional<LoadedCheckpoint> c = check(steps.get(i));
      if (c.isPresent()) return c;
    }
    return Optional.empty();
  }

  /** The complete checkpoint of {@code step}, if there is one. */
  public Optional<LoadedCheckpoint> load(int step) {
    return Files.isDirectory(dir(step)) ? check(step) : Optional.empty();
  }

  /** Steps of the complete checkpoints, ascending. */
  public List<Integer> steps() {
    List<Integer> out = new ArrayList<>();
    for (int s : candidateSteps()) if (complete(s) == null) out.add(s);
    return out;
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Steps of directories named checkpoint-N, ascending (complete or not). */
  private List<Integer> candidateSteps() {
    if (!Files.isDirectory(outDir)) return List.of();
    TreeMap<Integer, Path> found = new TreeMap<>();
    try (Stream<Path> s = Files.list(outDir)) {
      s.forEach(p -> {
        Matcher m = DIR.matcher(p.getFileName().toString());
        if (m.matches() && Files.isDirectory(p)) {
          try {
            found.put(Integer.parseInt(m.group(1)), p);
          } catch (NumberFormatException e) {
            warn.accept("ignoring " + p + ": step number out of range");
          }
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + outDir + ": " + e, e);
    }
    return new ArrayList<>(found.keySet());
  }

  private Optional<LoadedCheckpoint> check(int step) {
    Path d = dir(step);
    String problem = complete(step);
    if (problem != null) {
      warn.accept("ignoring " + d + ": " + problem);
      return Optional.empty();
    }
    StateFile.Contents c = readState(d);
    LinkedHashSet<String> groups = new LinkedHashSet<>();
    for (String f : c.files().keySet()) {
      if (f.endsWith(GROUP_SUFFIX) && !f.contains("/")) groups.add(f.substring(0, f.length() - GROUP_SUFFIX.length()));
    }
    return Optional.of(new LoadedCheckpoint(d, c.state(), groups));
  }

  /** Null when checkpoint {@code step} is complete, otherwise what is wrong with it. */
  private String complete(int step) {
    Path d = dir(step);
    StateFile.Contents c;
    try {
      c = readState(d);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      return e.getMessage();
    }
    if (c.state().step() != step) return StateFile.NAME + " says step " + c.state().step();
    for (Map.Entry<String, Long> f : c.files().entrySet()) {
      Path p = d.resolve(f.getKey());
      try {
        long size = Files.size(p);
        if (size != f.getValue()) return f.getKey() + " has " + size + " bytes, " + f.getValue() + " were written";
      } catch (NoSuchFileException e) {
        return f.getKey() + " is missing";
      } catch (IOException e) {
        return "cannot read " + f.getKey() + ": " + e;
      }
    }
    return null;
  }

  private static StateFile.Contents readState(Path d) {
    Path f = d.resolve(StateFile.NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(StateFile.NAME + " is missing");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f + ": " + e, e);
    }
    return StateFile.decode(bytes, f.toString());
  }

  /** Regular files under {@code dir} (relative, '/'-separated) with their sizes, sorted. */
  private static Map<String, Long> inventory(Path dir) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (!Files.isRegularFile(p)) continue;
        String rel = dir.relativize(p).toString().replace('\\', '/');
        if (rel.equals(StateFile.NAME)) throw new IllegalArgumentException("extra files must not include " + StateFile.NAME);
        files.put(rel, Files.size(p));
      }
    }
    return files;
  }

  /** Deletes .tmp and .old directories of interrupted saves. */
  private void removeLeftovers() throws IOException {
    try (Stream<Path> s = Files.list(outDir)) {
      for (Path p : s.toList()) {
        if (LEFTOVER.matcher(p.getFileName().toString()).matches()) {
          warn.accept("removing " + p + " left by an interrupted save");
          deleteTree(p);
        }
      }
    }
  }

  /**
   * Deletes all but the newest {@code keepLast} checkpoints up to the one just saved. Checkpoints of
   * later steps belong to a trajectory this run abandoned by resuming from an earlier step (or are
   * damaged, which is why it did); they are deleted too, so that {@link #latest()} follows this run.
   */
  private void prune(int saved) {
    List<Integer> older = new ArrayList<>();
    for (int s : candidateSteps()) {
      if (s < saved) older.add(s);
      else if (s > saved) {
        warn.accept("deleting " + dir(s) + ": this run continued from an earlier step");
        delete(dir(s));
      }
    }
    for (int i = 0; i < older.size() - (keepLast - 1); i++) delete(dir(older.get(i)));
  }

  private void delete(Path d) {
    try {
      deleteTree(d);
    } catch (IOException e) {
      warn.accept("cannot delete " + d + ": " + e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  private static void deleteQuietly(Path root) {
    try {
      deleteTree(root);
    } catch (IOException ignored) {
      // the save's own failure is the one reported
    }
  }
}

package dev.rmr1.training.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems {@link Validated#validate} finds, keyed by configuration key. A section's
 * validator sees keys relative to its section ({@code "lr"} inside {@code optim}); the loader
 * prefixes them and adds where each value came from.
 */
public final class Problems {
  /** A problem at a full dotted key. */
  public record Entry(String key, String message) {}

  private final String prefix;
  private final List<Entry> sink;

  public Problems() {
    this("", new ArrayList<>());
  }

  private Problems(String prefix, List<Entry> sink) {
    this.prefix = prefix;
    this.sink = sink;
  }

  /** A view whose keys are relative to section {@code name} of this one. */
  public Problems section(String name) {
    return new Problems(prefix + name + ".", sink);
  }

  /** Records {@code message} for {@code key} unless {@code ok}. */
  public void check(boolean ok, String key, String message) {
    if (!ok) add(key, message);
  }

  public void add(String key, String message) {
    sink.add(new Entry(prefix + key, message));
  }

  public boolean isEmpty() {
    return sink.isEmpty();
  }

  public List<Entry> entries() {
    return List.copyOf(sink);
  }
}

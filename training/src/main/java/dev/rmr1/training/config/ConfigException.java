package dev.rmr1.training.config;

import java.util.List;

/**
 * A configuration that cannot be used: every problem found, each naming the key, where its value
 * came from (a file and line, a command-line flag, or the default) and what is wrong.
 */
public final class ConfigException extends IllegalArgumentException {
  /**
   * @param key dotted key, e.g. {@code grpo.kl_beta} (empty for a problem with the file as a whole)
   * @param origin where the value came from, e.g. {@code run.yaml:12}, {@code --lr}, {@code default}
   */
  public record Problem(String key, String origin, String message) {
    @Override
    public String toString() {
      return origin + ": " + (key.isEmpty() ? "" : key + ": ") + message;
    }
  }

  private final List<Problem> problems;

  public ConfigException(List<Problem> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String key, String origin, String message) {
    this(List.of(new Problem(key, origin, message)));
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String format(List<Problem> problems) {
    if (problems.isEmpty()) throw new IllegalArgumentException("a ConfigException needs at least one problem");
    if (problems.size() == 1) return "invalid configuration: " + problems.getFirst();
    StringBuilder sb = new StringBuilder("invalid configuration (" + problems.size() + " problems):");
    for (Problem p : problems) sb.append("\n  ").append(p);
    return sb.toString();
  }
}

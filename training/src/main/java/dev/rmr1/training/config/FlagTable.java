package dev.rmr1.training.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line flags of a configuration schema. Every key has a long flag spelled from its dotted
 * name ({@code grpo.kl_beta}: {@code --grpo-kl-beta}); a key whose last part is unique in the
 * schema also answers to that part alone ({@code --kl-beta}, {@code --lr}, {@code --out}).
 * Booleans take an optional value and have a {@code --no-} form; a switchable section has a flag
 * of its own ({@code --lora}, {@code --no-lora}).
 */
final class FlagTable {
  enum Kind { VALUE, BOOLEAN, SECTION }

  /** What a flag sets; {@code negated} for the {@code --no-} forms. */
  record Target(String path, Kind kind, boolean negated) {}

  private final Map<String, Target> flags = new LinkedHashMap<>();
  /** Flags of each key or section, for help output. */
  private final Map<String, List<String>> byPath = new HashMap<>();

  FlagTable(ConfigSchema schema) {
    Map<String, Integer> leafCount = new HashMap<>();
    for (ConfigSchema.Key k : schema.keys().values()) leafCount.merge(k.leaf(), 1, Integer::sum);
    for (ConfigSchema.Section s : schema.sections().values()) {
      if (s.nullable()) {
        add(flagName(s.path()), new Target(s.path(), Kind.SECTION, false));
        add("no-" + flagName(s.path()), new Target(s.path(), Kind.SECTION, true));
      }
    }
    for (ConfigSchema.Key k : schema.keys().values()) {
      Kind kind = k.type() == boolean.class ? Kind.BOOLEAN : Kind.VALUE;
      add(flagName(k.path()), new Target(k.path(), kind, false));
      if (kind == Kind.BOOLEAN) add("no-" + flagName(k.path()), new Target(k.path(), kind, true));
    }
    // Shortcuts last, so a full name always wins over another key's shortcut.
    for (ConfigSchema.Key k : schema.keys().values()) {
      String leaf = flagName(k.leaf());
      if (!k.path().contains(".") || leaf.length() < 2 || leafCount.get(k.leaf()) != 1 || flags.containsKey(leaf)) continue;
      Kind kind = k.type() == boolean.class ? Kind.BOOLEAN : Kind.VALUE;
      add(leaf, new Target(k.path(), kind, false));
      if (kind == Kind.BOOLEAN && !flags.containsKey("no-" + leaf)) add("no-" + leaf, new Target(k.path(), kind, true));
    }
  }

  private void add(String flag, Target t) {
    if (flags.putIfAbsent(flag, t) != null) throw new IllegalStateException("configuration flag --" + flag + " is defined twice");
    if (!t.negated()) byPath.computeIfAbsent(t.path(), p -> new ArrayList<>()).add("--" + flag);
  }

  static String flagName(String path) {
    return path.replace('.', '-').replace('_', '-');
  }

  /** The target of {@code --name} (without the dashes), or null. */
  Target get(String name) {
    return flags.get(name);
  }

  /** All flag names, with their dashes. */
  List<String> names() {
    return flags.keySet().stream().map(f -> "--" + f).toList();
  }

  /** The positive flags of a key or section, shortest first. */
  List<String> flagsOf(String path) {
    List<String> l = new ArrayList<>(byPath.getOrDefault(path, List.of()));
    l.sort((a, b) -> Integer.compare(a.length(), b.length()));
    return l;
  }
}
